"`fireact convert` from the shell: a mix of the released multi-method file, round trips of each method, and bad input."
import json, os, subprocess, sys
from collections import Counter
from pathlib import Path
import pytest
from fireact.core import Round, Trajectory, append_jsonl
from fireact.convert import from_record, read_sft, classify
from fireact.formats import to_alpaca, to_chat
from fireact.core import render_react

FIREACT = [str(Path(sys.executable).parent/'fireact')]
needs_mirror = pytest.mark.skipif(not os.environ.get('FIREACT_MIRROR'), reason='needs the release mirror (FIREACT_MIRROR)')

def convert(*args, cwd):
    return subprocess.run(FIREACT + ['convert', *args], cwd=cwd, capture_output=True, text=True)

def hand_written():
    "One trajectory of each convertible method, as this project's agent writes them."
    fin = lambda ok: f'Episode finished, reward = {ok}'
    return [
        Trajectory('hotpotqa', 'dev', 'c1', 'Where was Nixon born?', method='cot', answer='Yorba Linda', em=True, finished=True,
                   rounds=[Round('Nixon was born in Yorba Linda, California.', 'finish[Yorba Linda]', fin(True))]),
        Trajectory('hotpotqa', 'dev', 'r1', 'Who directed Rope?', method='react', answer='Alfred Hitchcock', em=True, finished=True,
                   rounds=[Round('I need to search Rope.', 'search[Rope film]', 'Rope is a 1948 film directed by Alfred Hitchcock.'),
                           Round('Rope was directed by Alfred Hitchcock.', 'finish[Alfred Hitchcock]', fin(True))]),
        Trajectory('strategyqa', 'dev', 'x1', 'Can a cat swim?', method='reflexion', answer='yes', em=True, finished=True,
                   rounds=[Round(f'Step {i}.', f'search[cats {i}]', f'result {i}') for i in range(5)] +
                          [Round('I should answer.', 'finish[yes]', fin(True), reflection='I kept searching the same thing.')]),
        Trajectory('hotpotqa', 'dev', 'f1', 'Who wrote Macbeth?', method='react', answer='Marlowe', em=False, finished=True,
                   rounds=[Round('It is Marlowe.', 'search[Macbeth]', 'Macbeth is a tragedy by William Shakespeare.'),
                           Round('Marlowe.', 'finish[Marlowe]', fin(False))]),
    ]

def test_round_trip_each_method_and_format():
    for t in hand_written():
        for export in (to_alpaca, to_chat):
            back = from_record(export(t), t.qid, task=t.task)
            assert export(back) == export(t)
            assert (back.question, render_react(back.rounds, skip_empty=True), back.answer, back.em) == (t.question, render_react(t.rounds, skip_empty=True), t.answer, t.em)
            if t.method != 'reflexion': assert back.rounds == t.rounds  # a reflection shares its line with the next thought
            assert classify(back) == t.method

def test_convert_own_run_drops_failed(tmp_path):
    append_jsonl(tmp_path/'run.jsonl', hand_written())
    r = convert('--runs', 'run.jsonl', '--out', 'mix.json', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert report['selection'] == {'kept': 3, 'dropped': {'failed': 1}}
    got = [from_record(x, str(i), 'hotpotqa') for i, x in enumerate(read_sft(tmp_path/'mix.json'))]
    assert sorted(classify(t) for t in got) == ['cot', 'react', 'reflexion']
    r = convert('--runs', 'run.jsonl', '--out', 'all.jsonl', '--keep_failed', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(read_sft(tmp_path/'all.jsonl')) == 4

@needs_mirror
def test_convert_release_mix(tmp_path):
    r = convert('--runs', 'data/finetune/alpaca_format/hotpotqa_multimethod.json', '--methods', 'react,cot,reflexion',
                '--counts', 'react=200,cot=50,reflexion=10', '--keep_failed', '--val', '20', '--format', 'chat', '--out', 'm.jsonl', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    labels = [x for f in ('m.jsonl', 'm_val.jsonl') for x in json.loads((tmp_path/f'{f}.stats.json').read_text())['records']]
    assert Counter(x['method'] for x in labels) == {'react': 200, 'cot': 50, 'reflexion': 10}
    assert len(read_sft(tmp_path/'m.jsonl')) + len(read_sft(tmp_path/'m_val.jsonl')) == 260
    assert len(read_sft(tmp_path/'m_val.jsonl')) == 20

def test_bad_input_names_file_and_line_and_writes_nothing(tmp_path):
    good = json.dumps(to_chat(hand_written()[1]))
    (tmp_path/'broken.jsonl').write_text(good + '\n' + good[:40] + '\n')
    r = convert('--runs', 'broken.jsonl', '--out', 'out.json', cwd=tmp_path)
    assert r.returncode != 0 and 'broken.jsonl:2: not valid JSON' in r.stderr, r.stderr
    (tmp_path/'roles.jsonl').write_text(good + '\n' + json.dumps({'messages': [{'role': 'user', 'content': 'Q'}, {'role': 'agent', 'content': 'x'}]}) + '\n')
    r = convert('--runs', 'roles.jsonl', '--out', 'out.json', cwd=tmp_path)
    assert r.returncode != 0 and "roles.jsonl: record 2: message 1 has role 'agent'" in r.stderr, r.stderr
    (tmp_path/'fields.json').write_text(json.dumps([{'instruction': 'Q?'}]))
    r = convert('--runs', 'fields.json', '--out', 'out.json', cwd=tmp_path)
    assert r.returncode != 0 and 'fields.json: record 1: a record of no fine-tuning format (alpaca, chat, toolcalls, nat)' in r.stderr, r.stderr
    assert not any(p.name.startswith(('out', '.out')) for p in tmp_path.iterdir())

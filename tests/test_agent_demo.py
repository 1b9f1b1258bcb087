"The README's main job, end to end on 2 questions: the embedded SmolLM2-135M prompted and fine-tuned, real generation, real replay search."
import json, os, subprocess, sys
from pathlib import Path

def test_demo_two_questions(tmp_path):
    r = subprocess.run([str(Path(sys.executable).parent/'fireact'), 'demo', '--n', '2'], capture_output=True, text=True,
                       cwd=tmp_path, env=os.environ.copy(), timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    table = r.stdout.split('\n\n')[-2].splitlines()  # the header, then a row per agent
    assert 'EM' in table[0] and [l.split('  ')[0] for l in table[1:]] == ['ReAct (few-shot prompting)', 'FireAct (LoRA, zero-shot)']
    assert all('/2)' in l for l in table[1:]) and not any(len(x.split('.')[-1]) > 2 for l in table[1:] for x in l.split() if x[0].isdigit() and '.' in x)
    prompted, tuned = ([json.loads(l) for l in (tmp_path/'runs'/f).read_text().splitlines()] for f in ('demo.jsonl', 'demo_finetuned.jsonl'))
    assert len(prompted) == len(tuned) == 2 and {r['qid'] for r in prompted} == {r['qid'] for r in tuned}
    assert {r['search_backend'] for r in prompted + tuned} == {'replay'}
    assert all(r['rounds'] and r['prompt_tokens'] > 500 for r in prompted) and all(r['prompt_tokens'] < 500 * len(r['rounds']) for r in tuned)
    assert all(r['model'].startswith('SmolLM2-135M') for r in prompted) and all(r['model'].endswith('+smollm2-hotpotqa-lora-mask-turn') for r in tuned)

def test_the_stop_at_the_action_end_changes_what_is_generated_not_what_is_read():
    "The committed agent-mask adapter (trained before the turn's end was), on one question alone: the same trajectory with either stop, far fewer tokens with the format's, and the rounds say why each call ended."
    from fireact.agent import make_agent
    from fireact.tasks import get_task
    question = [q for q in get_task('hotpotqa', 'dev').sample(200) if q.id == '2811']
    config = dict(method='react', model='default', lora=str(Path(__file__).resolve().parents[1]/'runs/finetune/smollm2-hotpotqa-lora'),
                  fmt='alpaca', search='replay')
    steps = lambda t: [(r.thought, r.action, r.observation) for r in t.rounds]
    now = make_agent(**config).run(question, progress=False)[0]
    before = make_agent(**config, stop='strings').run(question, progress=False)[0]  # only `\nObservation:`, as a server is sent
    assert steps(now) == steps(before) and now.answer == 'South Africa'
    assert now.completion_tokens * 3 < before.completion_tokens, (now.completion_tokens, before.completion_tokens)
    assert {g['ended'] for r in now.rounds for g in r.generated} == {'pattern'}  # cut at the Action line's end
    # this adapter never learnt the hand-over: what it wrote runs past the Action line (to its token limit or to an Observation)
    assert all(g['ended'] in ('length', 'stop', 'eos') and len(g['text']) > len(r.thought) + len(r.action) for r in before.rounds for g in r.generated)

"Every registered tuning as a user runs it, `fireact finetune --method NAME`, on a tiny random model: DPO from an SFT adapter, two rejection-sampling rounds whose second samples from the first's agent, and the one-line refusals."
import json, os, subprocess, sys
from pathlib import Path
import pytest
from fireact.core import Round, Trajectory, read_jsonl
from fireact.failures import preference_pair, write_pairs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, 'PYTHONPATH': f'{ROOT}{os.pathsep}{os.environ.get("PYTHONPATH", "")}', 'OMP_NUM_THREADS': '1'}
TINY = ['--epochs', '1', '--batch', '2', '--micro_batch', '2', '--val', '0', '--cutoff', '256', '--logging_steps', '1']

def fireact(*args, env=ENV):
    return subprocess.run([str(BIN/'fireact'), *map(str, args)], capture_output=True, text=True, env=env, cwd=ROOT)

@pytest.fixture(scope='module')
def sft(tmp_path_factory):
    "A tiny random Llama and an SFT LoRA of it on eight release trajectories."
    from fireact.convert import read_sft
    from fireact.models import load_tokenizer
    from fireact.train import save_tiny_llama
    d = tmp_path_factory.mktemp('tunings')
    (d/'data.json').write_text(json.dumps(read_sft('data/finetune/alpaca_format/hotpotqa.json')[:8]))
    save_tiny_llama(d/'model', load_tokenizer(), hidden=32)
    r = fireact('finetune', d/'data.json', d/'sft', '--base', d/'model', *TINY, '--max_steps', '1')
    assert r.returncode == 0, r.stderr[-2000:]
    return d

def test_dpo_continues_the_sft_adapter_and_its_card_names_the_tuning(sft):
    obs = 'Jaws is a 1975 film directed by Steven Spielberg.'
    good = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=True, finished=True,
                      rounds=[Round('Search Jaws.', 'search[Jaws]', obs), Round('Spielberg.', 'finish[Steven Spielberg]')])
    bad = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=False, finished=True,
                     rounds=[Round('Search Jaws.', 'search[Jaws]', obs), Round('A studio.', 'finish[Universal]')])
    write_pairs(sft/'pairs.jsonl', [preference_pair(good, bad)] * 2)
    r = fireact('finetune', sft/'pairs.jsonl', sft/'dpo', '--method', 'dpo', '--adapter', sft/'sft', '--base', sft/'model',
                '--max_steps', '1', '--batch', '2', '--beta', '0.2')
    assert r.returncode == 0, r.stderr[-2000:]
    card = json.loads((sft/'dpo'/'card.json').read_text())
    assert (card['tuning'], card['kind'], card['steps'], card['hyperparameters']['beta']) == ('dpo', 'fireact-dpo', 1, 0.2)
    assert json.loads(r.stdout.strip().splitlines()[-1])['tuning'] == 'dpo'

def test_two_rejection_sampling_rounds_each_sample_from_the_agent_before(sft, tmp_path):
    env = {**ENV, 'FIREACT_ROOT': str(tmp_path)}  # the rounds' samples and data go under this root, not the repository's
    out = tmp_path/'runs/finetune/tiny-rs'
    r = fireact('finetune', 'data/finetune/alpaca_format/hotpotqa.json', out, '--method', 'rejection-sampling',
                '--adapter', sft/'sft', '--base', sft/'model', '--rounds', '2', '--k', '2', '--n', '2', '--temperature', '1.0',
                '--max_steps', '1', '--batch', '2', '--micro_batch', '2', '--val', '0', '--cutoff', '256', env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    cards = [json.loads((tmp_path/f'runs/finetune/tiny-rs-r{i}'/'card.json').read_text()) for i in (1, 2)]
    for i, card in enumerate(cards, 1):
        rs = card['rejection_sampling']
        assert (card['tuning'], rs['round'], rs['k'], rs['questions'], card['steps']) == ('rejection-sampling', i, 2, 2, 1)
        assert rs['counts']['samples'] == 4 and len(rs['samples']) == 2
        assert card['data']['records'] == 500 + rs['success_records']  # the release's successes, and every success so far
        agent = Path(rs['agent']).name
        assert agent == ('sft' if i == 1 else 'tiny-rs-r1')
        for f in rs['samples']:  # what the round's agent emitted: each sample file is that agent's, at the temperature asked
            trajs = read_jsonl(tmp_path/f)
            assert len(trajs) == 2 and all(t['model'].endswith('+' + agent) and t['split'] == 'train' for t in trajs)
            manifest = json.loads((tmp_path/(f + '.manifest.json')).read_text())['run']
            assert (manifest['temperature'], Path(manifest['lora']).name) == (1.0, agent)
    assert cards[1]['rejection_sampling']['all_samples'] == cards[0]['rejection_sampling']['samples'] + cards[1]['rejection_sampling']['samples']
    again = fireact('finetune', 'data/finetune/alpaca_format/hotpotqa.json', out, '--method', 'rejection-sampling',
                    '--adapter', sft/'sft', '--base', sft/'model', '--rounds', '2', '--k', '2', '--n', '2', '--temperature', '1.0',
                    '--max_steps', '1', '--batch', '2', '--micro_batch', '2', '--val', '0', '--cutoff', '256', env=env)
    assert again.returncode == 0 and json.loads((tmp_path/'runs/finetune/tiny-rs-r2/card.json').read_text()) == cards[1]  # all reused

@pytest.mark.parametrize('args, says', [
    (['--method', 'ppo'], "unknown tuning 'ppo'"),
    (['--method', 'lora', '--beta', '0.1'], 'lora takes no --beta'),
    (['--method', 'nat'], 'records carry no NAT tag'),
    (['--method', 'rejection-sampling', '--rounds', '0', '--adapter', 'x'], '--rounds must be at least 1')])
def test_a_wrong_tuning_or_setting_is_one_line(sft, args, says):
    r = fireact('finetune', sft/'data.json', sft/'nothing', '--base', sft/'model', *args)
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr[-2000:]
    assert not (sft/'nothing').exists()

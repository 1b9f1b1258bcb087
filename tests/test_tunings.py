"""Every registered tuning as a user runs it, `fireact finetune --method NAME`, on a tiny random model: DPO from an SFT
adapter, two rejection-sampling rounds whose second samples from the first's agent, both again on two gloo processes
under `accelerate launch`, and the one-line refusals."""
import json, os, subprocess, sys
from pathlib import Path
import pytest
from fireact.core import Round, Trajectory, read_jsonl
from fireact.failures import preference_pair, write_pairs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, 'PYTHONPATH': f'{ROOT}{os.pathsep}{os.environ.get("PYTHONPATH", "")}', 'OMP_NUM_THREADS': '1'}
TINY = ['--epochs', '1', '--batch', '2', '--micro_batch', '2', '--val', '0', '--cutoff', '256', '--logging_steps', '1']

ACCELERATE = [str(BIN/'accelerate'), 'launch', '--config_file', str(ROOT/'configs'/'accelerate_ddp.yaml'),
              '--num_processes', '2', '--mixed_precision', 'no']  # the shipped DDP config: gloo on CPUs

def fireact(*args, env=ENV, launcher=()):
    return subprocess.run([*launcher, str(BIN/'fireact'), *map(str, args)], capture_output=True, text=True, env=env, cwd=ROOT)

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

@pytest.fixture(scope='module')
def pairs(sft):
    obs = 'Jaws is a 1975 film directed by Steven Spielberg.'
    good = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=True, finished=True,
                      rounds=[Round('Search Jaws.', 'search[Jaws]', obs), Round('Spielberg.', 'finish[Steven Spielberg]')])
    bad = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=False, finished=True,
                     rounds=[Round('Search Jaws.', 'search[Jaws]', obs), Round('A studio.', 'finish[Universal]')])
    return write_pairs(sft/'pairs.jsonl', [preference_pair(good, bad)] * 4)

def dpo(sft, pairs, out, *extra, launcher=()):
    r = fireact('finetune', pairs, sft/out, '--method', 'dpo', '--adapter', sft/'sft', '--base', sft/'model',
                '--max_steps', '1', '--lr', '1e-3', *extra, launcher=launcher)
    assert r.returncode == 0, r.stderr[-2000:]
    return r, json.loads((sft/out/'card.json').read_text())

def test_dpo_continues_the_sft_adapter_and_its_card_names_the_tuning(sft, pairs):
    r, card = dpo(sft, pairs, 'dpo', '--batch', '2', '--beta', '0.2')
    assert (card['tuning'], card['kind'], card['steps'], card['hyperparameters']['beta']) == ('dpo', 'fireact-dpo', 1, 0.2)
    assert json.loads(r.stdout.strip().splitlines()[-1])['tuning'] == 'dpo'

def test_dpo_on_two_processes_trains_like_one(sft, pairs):
    "`--batch` is the global batch: one process accumulates 4 pairs, two take 2 each; the same pairs, the same step."
    from safetensors.torch import load_file
    _, one = dpo(sft, pairs, 'dpo-one', '--batch', '4', '--micro_batch', '1')
    r, two = dpo(sft, pairs, 'dpo-two', '--batch', '4', '--micro_batch', '1', launcher=ACCELERATE)
    assert [(c['machine']['processes'], c['machine']['parallel']) for c in (one, two)] == [
        (1, 'PeftModelForCausalLM'), (2, 'DistributedDataParallel')]
    assert one['hyperparameters']['batch'] == two['hyperparameters']['batch'] == 4 and one['steps'] == two['steps'] == 1
    assert len([l for l in r.stdout.splitlines() if l.startswith('{"tuning"')]) == 1  # the first process reports
    w1, w2 = (load_file(sft/d/'adapter_model.safetensors') for d in ('dpo-one', 'dpo-two'))
    start = load_file(sft/'sft'/'adapter_model.safetensors')
    assert w1.keys() == w2.keys() and any((w1[k] - start[k]).abs().max() > 1e-6 for k in w1)  # it moved ...
    assert max((w1[k] - w2[k]).abs().max().item() for k in w1) < 1e-5                    # ... and the same way

RS = ['--method', 'rejection-sampling', '--rounds', '2', '--k', '2', '--n', '2', '--temperature', '1.0',
      '--max_steps', '1', '--batch', '2', '--micro_batch', '1', '--val', '0', '--cutoff', '256']

def rejection_sampling(sft, root, launcher=()):
    "Two rounds under a temporary `FIREACT_ROOT` (their samples and data go there, not into the repository); their cards."
    env = {**ENV, 'FIREACT_ROOT': str(root)}
    r = fireact('finetune', 'data/finetune/alpaca_format/hotpotqa.json', root/'runs/finetune/tiny-rs',
                '--adapter', sft/'sft', '--base', sft/'model', *RS, env=env, launcher=launcher)
    assert r.returncode == 0, r.stderr[-3000:]
    return [json.loads((root/f'runs/finetune/tiny-rs-r{i}'/'card.json').read_text()) for i in (1, 2)]

def check_rounds(cards, root):
    "Each round sampled from the agent before it, k files at the temperature asked, and trained on 500 + its successes."
    for i, card in enumerate(cards, 1):
        rs = card['rejection_sampling']
        assert (card['tuning'], rs['round'], rs['k'], rs['questions'], card['steps']) == ('rejection-sampling', i, 2, 2, 1)
        assert rs['counts']['samples'] == 4 and len(rs['samples']) == 2
        assert card['data']['records'] == 500 + rs['success_records']  # the release's successes, and every success so far
        agent = Path(rs['agent']).name
        assert agent == ('sft' if i == 1 else 'tiny-rs-r1')
        for f in rs['samples']:  # what the round's agent emitted: each sample file is that agent's, at the temperature asked
            trajs = read_jsonl(root/f)
            assert len(trajs) == 2 and all(t['model'].endswith('+' + agent) and t['split'] == 'train' for t in trajs)
            manifest = json.loads((root/(f + '.manifest.json')).read_text())['run']
            assert (manifest['temperature'], Path(manifest['lora']).name) == (1.0, agent)
    assert cards[1]['rejection_sampling']['all_samples'] == cards[0]['rejection_sampling']['samples'] + cards[1]['rejection_sampling']['samples']

def test_two_rejection_sampling_rounds_each_sample_from_the_agent_before(sft, tmp_path):
    cards = rejection_sampling(sft, tmp_path)
    check_rounds(cards, tmp_path)
    assert rejection_sampling(sft, tmp_path)[1] == cards[1]  # run again, everything is reused

def test_rejection_sampling_on_two_processes_shares_the_samples_then_trains_together(sft, tmp_path):
    "Each process samples its own seed (two sampling one file would stop with RunInUse), then both train the round."
    cards = rejection_sampling(sft, tmp_path, launcher=ACCELERATE)
    check_rounds(cards, tmp_path)
    assert {(c['machine']['processes'], c['machine']['parallel']) for c in cards} == {(2, 'DistributedDataParallel')}
    assert rejection_sampling(sft, tmp_path, launcher=ACCELERATE) == cards  # and the processes reuse every round

@pytest.mark.parametrize('args, says', [
    (['--method', 'ppo'], "unknown tuning 'ppo'"),
    (['--method', 'lora', '--beta', '0.1'], 'lora takes no --beta'),
    (['--method', 'nat'], 'records carry no NAT tag'),
    (['--method', 'rejection-sampling', '--rounds', '0', '--adapter', 'x'], '--rounds must be at least 1')])
def test_a_wrong_tuning_or_setting_is_one_line(sft, args, says):
    r = fireact('finetune', sft/'data.json', sft/'nothing', '--base', sft/'model', *args)
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr[-2000:]
    assert not (sft/'nothing').exists()

"Fine-tuning as a user runs it: the `fireact finetune` command killed and resumed, and on two processes (gloo, CPU)."
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, 'PYTHONPATH': f'{ROOT}{os.pathsep}{os.environ.get("PYTHONPATH", "")}', 'OMP_NUM_THREADS': '1'}
ARGS = ['--epochs', '1', '--batch', '4', '--micro_batch', '2', '--val', '4', '--cutoff', '256', '--logging_steps', '1']

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "Sixteen release trajectories and a tiny random Llama with the embedded model's tokenizer."
    from fireact.models import load_tokenizer
    from fireact.train import read_sft, save_tiny_llama
    d = tmp_path_factory.mktemp('tiny')
    (d/'data.json').write_text(json.dumps(read_sft('data/finetune/alpaca_format/hotpotqa.json')[:16]))
    save_tiny_llama(d/'model', load_tokenizer(), hidden=32)
    return d

def finetune(tiny, out, *extra, launcher=(), check=True):
    cmd = [*launcher, str(BIN/'fireact'), 'finetune', str(tiny/'data.json'), str(out), '--base', str(tiny/'model'), *ARGS, *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    if check: assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((Path(out)/'card.json').read_text())

@pytest.fixture(scope='module')
def single(tiny):
    return finetune(tiny, tiny/'single', '--lr', '1e-2', '--save_steps', '2')

def outputs(out): return {p.name for p in Path(out).iterdir() if p.name not in ('checkpoints', 'README.md')}

def test_kill_then_resume_continues_from_the_checkpoint(tiny, single):
    out = tiny/'killed'
    cmd = [str(BIN/'fireact'), 'finetune', str(tiny/'data.json'), str(out), '--base', str(tiny/'model'), *ARGS,
           '--lr', '1e-2', '--save_steps', '1', '--epochs', '4']
    p = subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while not (out/'checkpoints'/'checkpoint-2'/'wall.json').exists():
            assert p.poll() is None and time.time() < deadline, 'the run ended before its second checkpoint'
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
    finally: p.wait()
    assert p.returncode == -signal.SIGKILL and not (out/'card.json').exists()
    done = sorted(int(c.name.split('-')[1]) for c in (out/'checkpoints').glob('checkpoint-*') if (c/'wall.json').exists())
    assert done and done[-1] < 12
    card = finetune(tiny, out, '--lr', '1e-2', '--save_steps', '1', '--epochs', '4')
    assert card['resumed_from'] == f'checkpoint-{done[-1]}' and card['steps'] == 12
    assert [h['step'] for h in card['log'] if 'loss' in h] == list(range(1, 13))
    logged = [json.loads(l)['step'] for l in (out/'log.jsonl').read_text().splitlines() if 'loss' in json.loads(l)]
    assert logged[:done[-1]] == list(range(1, done[-1] + 1)) and logged[-1] == 12 # the killed run's log, then the resumed one's

def test_torchrun_two_gloo_processes_train_like_one(tiny, single):
    card = finetune(tiny, tiny/'ddp', '--lr', '1e-2', '--save_steps', '2', launcher=[str(BIN/'torchrun'), '--nproc_per_node', '2'])
    assert (card['machine']['processes'], card['machine']['parallel']) == (2, 'DistributedDataParallel')
    assert (card['hyperparameters']['batch'], card['hyperparameters']['gradient_accumulation']) == (4, 1)
    assert single['hyperparameters']['gradient_accumulation'] == 2
    # each process saw half of every batch: together, the whole training split once, like the single process
    assert card['tokens_seen'] == single['tokens_seen'] and card['steps'] == single['steps'] == 3
    assert outputs(tiny/'ddp') == outputs(tiny/'single')
    assert abs(card['final_val_loss'] - single['final_val_loss']) < 1e-3

def test_accelerate_fsdp_config_full_fine_tune_on_two_cpu_processes(tiny):
    "The shipped FSDP config runs a full fine-tune; on CPUs accelerate cannot shard, trains with DDP and says so."
    import torch
    from transformers import AutoModelForCausalLM
    launcher = [str(BIN/'accelerate'), 'launch', '--config_file', str(ROOT/'configs'/'accelerate_fsdp.yaml'),
                '--num_processes', '2', '--mixed_precision', 'no']
    cmd = [*launcher, str(BIN/'fireact'), 'finetune', str(tiny/'data.json'), str(tiny/'fsdp'), '--base', str(tiny/'model'),
           *ARGS, '--method', 'full', '--lr', '1e-3', '--save_steps', '2']
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    card = json.loads((tiny/'fsdp'/'card.json').read_text())
    assert (card['machine']['processes'], card['machine']['parallel']) == (2, 'DistributedDataParallel')
    assert 'accelerate shards only on GPUs' in r.stderr
    base = AutoModelForCausalLM.from_pretrained(tiny/'model').state_dict()
    tuned = AutoModelForCausalLM.from_pretrained(tiny/'fsdp').state_dict()
    assert base.keys() == tuned.keys()
    assert any(not torch.equal(base[k], tuned[k]) for k in base)
    assert card['final_val_loss'] < card['log'][0]['eval_loss']

def test_turn_mask_teaches_the_hand_over_to_the_tool(tmp_path):
    "Eight LoRA steps on the embedded model: with the `turn` mask the agent hands each search to the tool; with `agent` it never does."
    from fireact.core import alpaca_prompt
    from fireact.llm import HFLM
    from fireact.train import finetune, read_sft
    searching = [r for r in read_sft('data/finetune/alpaca_format/hotpotqa.json') if 'Action: search[' in r['output']]
    (tmp_path/'data.json').write_text(json.dumps(searching[:96]))
    held_out = [alpaca_prompt(r['instruction']) + r['output'][:r['output'].index(']', r['output'].index('Action: search[')) + 1]
                for r in searching[200:216]]  # each prompt ends with a search action the model never trained on
    handed_over = {}
    for mask in ('turn', 'agent'):
        finetune(tmp_path/'data.json', tmp_path/mask, mask=mask, lora='all-linear', lr=5e-3, epochs=10, max_steps=8, batch=8,
                 micro_batch=8, cutoff=256, val=0, warmup=0, save_steps=1000, progress=False)
        outs = HFLM('default', lora=tmp_path/mask).generate(held_out, max_tokens=4)
        handed_over[mask] = sum(o.text.startswith('\nObservation:') for o in outs)
    assert handed_over['turn'] >= 14 and handed_over['agent'] <= 2, handed_over

def test_report_to_tensorboard_logs_the_loss_curve_offline(tiny, single):
    card = finetune(tiny, tiny/'tb', '--lr', '1e-2', '--save_steps', '2', '--report_to', 'tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    runs = [p.parent for p in (tiny/'tb'/'tensorboard').rglob('events.out.tfevents.*')]
    assert runs, 'no tensorboard event file in the run folder'
    events = EventAccumulator(str(runs[0])); events.Reload()
    logged = {e.step: e.value for e in events.Scalars('train/loss')}
    assert card['report_to'] == 'tensorboard' and sorted(logged) == [h['step'] for h in card['log'] if 'loss' in h]
    assert all(abs(logged[h['step']] - h['loss']) < 1e-4 for h in card['log'] if 'loss' in h)  # the card's curve, read back
    assert 'report_to' not in single

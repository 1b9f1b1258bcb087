"""GRPO as a user runs it: what each episode id is and whether it carries the loss, the `fireact finetune --method grpo`
command on a tiny model, and a run killed after a checkpoint that resumes to the same adapter as one never killed."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, 'PYTHONPATH': f'{ROOT}{os.pathsep}{os.environ.get("PYTHONPATH", "")}', 'OMP_NUM_THREADS': '1'}
from fireact.grpo import SFT_SAMPLES as SAMPLES  # the SFT agent's samples on training questions
SMALL = dict(search='replay', questions=2, group=2, max_rounds=2, max_tokens=16)

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A tiny random Llama with the embedded model's tokenizer, and an untrained LoRA adapter on it to start from."
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from fireact.models import load_tokenizer
    from fireact.train import save_tiny_llama
    d = tmp_path_factory.mktemp('grpo')
    save_tiny_llama(d/'model', load_tokenizer(), hidden=32)
    get_peft_model(AutoModelForCausalLM.from_pretrained(d/'model'),
                   LoraConfig(r=8, lora_alpha=16, target_modules=['q_proj', 'v_proj'])).save_pretrained(d/'start')
    return d

def runs(mask:list, value:int)->list[tuple[int,int]]:
    "The [begin, end) runs of positions where `mask` holds `value`."
    out, b = [], None
    for i, m in enumerate(list(mask) + [None]):
        if m == value and b is None: b = i
        if m != value and b is not None: out.append((b, i)); b = None
    return out

def test_the_tool_ids_decode_to_the_tool_text_and_the_model_ids_to_what_it_wrote(tiny):
    from fireact.grpo import rollouts, tool_turn, learnable_questions
    from fireact.llm import HFLM
    from fireact.tools import make_search
    lm = HFLM(tiny/'model', lora=tiny/'start')
    qs = learnable_questions(SAMPLES)[0][:2]
    eps = rollouts(lm, [q for q in qs for _ in range(2)], make_search('replay', training=True), seeds=[0, 1, 2, 3],
                   max_rounds=3, max_tokens=16)
    for e in eps:
        text = lambda b, t: lm.tokenizer.decode(e.completion_ids[b:t], skip_special_tokens=True)
        assert len(e.completion_ids) == len(e.env_mask)
        assert [text(b, t) for b, t in runs(e.env_mask, 1)] == [r.generated[0]['text'] for r in e.rounds]
        assert [text(b, t) for b, t in runs(e.env_mask, 0)] == [tool_turn(r.generated[0]['text'], r.observation)
                                                                for r in e.rounds[:-1]]
    assert len({tuple(e.completion_ids) for e in eps}) == 4  # each episode samples with its own seed

def test_the_tool_tokens_carry_no_loss(tiny):
    "The loss's gradient is the same whatever the tool wrote after the model's last token; not so without the mask."
    from fireact.grpo import grpo_trainer
    trainer, _ = grpo_trainer(SAMPLES, tiny/'mask', adapter=tiny/'start', base=tiny/'model', beta=0.0, steps=1,
                              progress=False, **SMALL)
    trainer.current_gradient_accumulation_steps = 1  # what `train` sets before its first loss
    batch = trainer._generate_and_score_completions([{'prompt': p} for p in trainer.train_dataset['prompt'] for _ in (0, 1)])
    mask = batch['tool_mask']
    ends = [runs(m.tolist(), 0)[0][1] for m in mask]  # each episode cut after its first tool turn: the tool's ids last
    cut = {k: v[:, :max(ends)].clone() if k in ('completion_ids', 'completion_mask', 'tool_mask') else v
           for k, v in batch.items()}
    for i, e in enumerate(ends): cut['completion_mask'][i, e:] = 0
    cut['advantages'] = torch.tensor([1.0, -1.0, 0.5, -0.5])
    def grad(inputs):
        trainer.model.zero_grad()
        trainer.compute_loss(trainer.model, inputs).backward()
        return torch.cat([p.grad.flatten() for p in trainer.model.parameters() if p.grad is not None])
    def other(inputs, where):
        ids = inputs['completion_ids'].clone(); ids[where] = 42
        return {**inputs, 'completion_ids': ids}
    tool_ids = (cut['tool_mask'] == 0) & (cut['completion_mask'] == 1)
    g = grad(cut)
    assert g.abs().sum() > 0 and torch.equal(grad(other(cut, tool_ids)), g)
    model_id = torch.zeros_like(tool_ids); model_id[0, 3] = True
    assert not torch.equal(grad(other(cut, model_id)), g)  # a token the model wrote does count
    unmasked = {**cut, 'tool_mask': torch.ones_like(cut['tool_mask'])}
    assert not torch.equal(grad(other(unmasked, tool_ids)), grad(unmasked))  # the check sees a missing mask

def grpo(tiny, out, *extra):
    cmd = [str(BIN/'fireact'), 'finetune', SAMPLES, str(out), '--method', 'grpo', '--base', str(tiny/'model'),
           '--adapter', str(tiny/'start'), *[f'--{k}={v}' for k, v in SMALL.items()], *extra]
    return subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def test_two_steps_from_the_command_line(tiny):
    p = grpo(tiny, tiny/'two', '--steps', '2'); _, err = p.communicate(timeout=600)
    assert p.returncode == 0, err[-3000:]
    card = json.loads((tiny/'two'/'card.json').read_text())
    assert (card['tuning'], card['steps'], card['tool'], card['adapter_from']) == ('grpo', 2, 'replay-train', str(tiny/'start'))
    assert [h['step'] for h in card['log']] == [1, 2] and {'reward', 'frac_reward_zero_std', 'kl'} <= set(card['log'][0])
    episodes = [json.loads(l) for l in (tiny/'two'/'rollouts.jsonl').read_text().splitlines()]
    assert [e['meta']['grpo_step'] for e in episodes] == [1] * 4 + [2] * 4
    assert {e['split'] for e in episodes} == {'train'} and all(e['search_backend'] == 'replay-train' for e in episodes)
    assert (tiny/'two'/'adapter_model.safetensors').is_file() and not (tiny/'two'/'ref').exists()
    p = grpo(tiny, tiny/'two', '--steps', '2'); _, err = p.communicate(timeout=600)  # the trainer would take a third
    assert p.returncode != 0 and 'has trained 2 steps (checkpoint-2); --steps 2 asks for no more' in err

def test_a_run_killed_after_a_checkpoint_resumes_to_the_same_adapter(tmp_path):
    "From the committed SFT agent (whose groups differ in reward): killed after checkpoint 2 and run again, it ends "
    "with the adapter, log and episodes of a run never killed."
    from fireact.grpo import SFT_START
    from fireact.models import weights_digest
    args = ['--search', 'replay', '--questions', '2', '--group', '2', '--max_rounds', '2', '--max_tokens', '48',
            '--steps', '3', '--save_steps', '1', '--lr', '1e-3']
    def start(out):
        cmd = [str(BIN/'fireact'), 'finetune', SAMPLES, str(out), '--method', 'grpo', *args]
        return subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    def finish(p):
        _, err = p.communicate(timeout=900); assert p.returncode == 0, err[-3000:]
    finish(start(tmp_path/'clean'))
    p = start(tmp_path/'killed')
    try:
        deadline = time.time() + 900
        while not (tmp_path/'killed'/'checkpoints'/'checkpoint-2'/'wall.json').exists():
            assert p.poll() is None and time.time() < deadline, 'the run ended before its second checkpoint'
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
    finally: p.communicate()
    assert p.returncode == -signal.SIGKILL and not (tmp_path/'killed'/'card.json').exists()
    finish(start(tmp_path/'killed'))
    clean, killed = (json.loads((tmp_path/d/'card.json').read_text()) for d in ('clean', 'killed'))
    assert killed['resumed_from'] == 'checkpoint-2' and killed['steps'] == clean['steps'] == 3
    assert killed['weights'] == clean['weights'] != weights_digest(ROOT/SFT_START)  # trained, and the same
    episodes = lambda d: [(e['qid'], e['answer'], e['meta']) for e in map(json.loads, (tmp_path/d/'rollouts.jsonl').open())]
    assert episodes('killed') == episodes('clean')
    assert [h['reward'] for h in killed['log']] == [h['reward'] for h in clean['log']]

def test_grpo_starts_from_table_2s_agent():
    from fireact.experiments import FAILURE_COMMANDS, FAILURE_TUNED, TURN_LORA
    from fireact.grpo import SFT_START
    from fireact.tunings import get_tuning
    assert SFT_START == TURN_LORA.adapter
    assert get_tuning('grpo').flags[0].name == 'adapter' and get_tuning('grpo').flags[0].default == SFT_START
    assert '--method grpo' in FAILURE_COMMANDS[FAILURE_TUNED['GRPO'][0]]

"""`OpenAILM` against a real OpenAI-compatible server: `transformers serve` on 127.0.0.1, offline, serving the embedded
model and a LoRA-tuned copy of it by name. Chat requests give what `HFLM` gives for the chat template; text completions
give what `HFLM` gives for the raw prompt, so `fireact run --model openai-text:...` runs few-shot ReAct and a fine-tuned
Alpaca agent to the trajectories an in-process run makes."""
import json, os, subprocess, sys
from pathlib import Path
import pytest
from fireact.agent import run_agent
from fireact.config import manifest_path
from fireact.core import read_trajectories
from fireact.llm import HFLM
from fireact.api import OpenAILM
from fireact.models import default_model_dir
from fireact.serving import free_port, serving
from fireact.formats import STEP_STOP
from fireact.methods import fewshot_prefix, step_prompt
from fireact.tasks import get_task

BIN = Path(sys.executable).parent

@pytest.fixture(scope='module')
def adapter(tmp_path_factory):
    "A LoRA adapter with random (non-zero) weights on the embedded model, and the model with it merged, saved as a folder a server loads."
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer
    root = tmp_path_factory.mktemp('lora')
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(default_model_dir())
    tuned = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj'], init_lora_weights=False))
    tuned.save_pretrained(root/'random-lora')
    tuned.merge_and_unload().save_pretrained(root/'smollm2-random-lora')
    AutoTokenizer.from_pretrained(default_model_dir()).save_pretrained(root/'smollm2-random-lora')
    return root/'random-lora', root/'smollm2-random-lora'

@pytest.fixture(scope='module')
def served(tmp_path_factory, adapter):
    """A `transformers serve` process that loads the models requests name; beside each folder's path, the embedded model
    answers to `SmolLM2-135M-Instruct` and the LoRA-merged one to its folder's name, as a vLLM server would name them
    (`--served-model-name`, `--lora-modules NAME=PATH`). Yields (base_url, embedded model's folder)."""
    port, names = free_port(), tmp_path_factory.mktemp('served-names')
    (names/'SmolLM2-135M-Instruct').symlink_to(default_model_dir())
    (names/adapter[1].name).symlink_to(adapter[1])
    command = [str(BIN/'transformers'), 'serve', '--host', '127.0.0.1', '--port', str(port), '--device', 'cpu', '--dtype', 'float32']
    with serving(command, f'http://127.0.0.1:{port}/v1', tmp_path_factory.mktemp('serve')/'serve.log', timeout=180,
                 env={'HF_HUB_OFFLINE': '1'}, cwd=names) as url:
        yield url, str(default_model_dir())

@pytest.fixture(scope='module')
def local():
    return HFLM()

CHATS = [[{'role': 'user', 'content': q}] for q in
         ['What is the capital of France?', 'Who wrote Hamlet?', 'Name a famous physicist.', 'Count from one to ten.']]

def test_chat_usage_and_the_same_tokens_as_the_local_backend(served, local):
    url, model = served
    api = OpenAILM(model, base_url=url)
    [c] = api.generate(CHATS[:1], max_tokens=16)
    [ref] = local.generate(CHATS[:1], max_tokens=16)
    assert c.ok and c.text
    assert c.text == ref.text  # greedy, same weights, same chat template
    assert c.prompt_tokens == ref.prompt_tokens == len(local.encode(CHATS[0]))
    assert 0 < c.completion_tokens <= 16
    assert c.cost == 0.0       # not a priced model

def test_raw_text_in_chat_mode_is_one_user_message(served, local):
    url, model = served
    [c] = OpenAILM(model, base_url=url).generate(['Who wrote Hamlet?'], max_tokens=12)
    [ref] = local.generate([[{'role': 'user', 'content': 'Who wrote Hamlet?'}]], max_tokens=12)
    assert c.text == ref.text

def react_prompts(n:int=4)->list[str]:
    questions = get_task('hotpotqa', 'dev').sample(n)
    prefix = fewshot_prefix('hotpotqa', 'react')
    return [step_prompt(q.question, [], 'fewshot', prefix) for q in questions]

def test_text_completions_continue_the_prompt_as_in_process(served, local):
    url, model = served
    prompts = react_prompts()
    remote = OpenAILM(model, base_url=url, api='completions').generate(prompts, stop=STEP_STOP, max_tokens=48)
    ref = local.generate(prompts, stop=STEP_STOP, max_tokens=48)
    assert all(c.ok for c in remote)
    assert [c.text for c in remote] == [c.text for c in ref]
    assert all('Action' in c.text for c in remote)  # it continues `Thought 1:` instead of answering in prose
    assert [c.prompt_tokens for c in remote] == [c.prompt_tokens for c in ref]
    chat = OpenAILM(model, base_url=url).generate(prompts[:1], stop=STEP_STOP, max_tokens=48)[0]
    assert chat.text != ref[0].text and chat.prompt_tokens > ref[0].prompt_tokens  # the chat template changes what the model sees

def test_stop_strings_are_cut(served):
    url, model = served
    [full] = OpenAILM(model, base_url=url).generate(CHATS[3:], max_tokens=40)
    [cut] = OpenAILM(model, base_url=url).generate(CHATS[3:], stop=['\n', 'three'], max_tokens=40)
    assert '\n' in full.text or 'three' in full.text  # the stop strings do occur without `stop`
    assert '\n' not in cut.text and 'three' not in cut.text
    assert full.text.startswith(cut.text)

def test_concurrent_requests_come_back_in_order(served):
    url, model = served
    api = OpenAILM(model, base_url=url, concurrency=4)
    together = api.generate(CHATS, max_tokens=12)
    alone = [api.generate([c], max_tokens=12)[0] for c in CHATS]
    assert all(c.ok for c in together)
    assert [c.text for c in together] == [c.text for c in alone]

def trajectory_fields(path)->list[dict]:
    """What must agree between two runs of one agent, by question: everything but wall time, the model's name and what was
    generated (a server stops at the stop strings it is sent, the in-process engine at the Action line's end too), which
    each round keeps on record (a run file is in the order trajectories ended)."""
    trajs = read_trajectories(path)
    assert all(r.generated and r.generated[0]['ended'] in ('stop', 'pattern', 'eos', 'length') for t in trajs for r in t.rounds), path
    rounds = lambda t: [{k: v for k, v in r.__dict__.items() if k != 'generated'} for r in t.rounds]
    return sorted(({**{k: v for k, v in t.__dict__.items() if k not in ('seconds', 'model', 'completion_tokens')}, 'rounds': rounds(t)}
                   for t in trajs), key=lambda t: t['qid'])

def fireact(*args, env=None)->subprocess.CompletedProcess:
    return subprocess.run([str(BIN/'fireact'), *map(str, args)], capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})

def test_cli_runs_fewshot_react_and_a_served_lora_agent_to_the_in_process_trajectories(served, adapter, tmp_path):
    url, model = served
    lora, merged = adapter
    common = ['--n', 2, '--max_tokens', 64]
    cases = {'fewshot': (model, {}), 'alpaca': (merged.name, {'lora': str(lora)})}  # the tuned model by the name it is served as
    for fmt, (served_name, local_kw) in cases.items():
        remote_out, local_out = tmp_path/f'{fmt}-served.jsonl', tmp_path/f'{fmt}-local.jsonl'
        r = fireact('run', '--model', f'openai-text:{served_name}', '--base-url', url, '--fmt', fmt, '--out', remote_out, *common,
                    env={'OPENAI_API_KEY': 'sk-do-not-record-me-0000'})
        assert r.returncode == 0, r.stderr[-2000:]
        run_agent(model='default', fmt=fmt, out=str(local_out), n=2, max_tokens=64, **local_kw)
        assert trajectory_fields(remote_out) == trajectory_fields(local_out), fmt
        # a server stops at the stop strings it is sent; the end of the Action line (a pattern) is cut here, after it generated
        generated = [[t.completion_tokens for t in read_trajectories(p)] for p in (local_out, remote_out)]
        assert all(a <= b for a, b in zip(*generated)), generated
        manifest = json.loads(manifest_path(remote_out).read_text())
        server = manifest['server']
        assert (server['base_url'], server['api'], server['model'], server['weights']) == (url, 'completions', served_name, 'served remotely: not digested')
        assert manifest['weights'] == {} and 'sk-do-not' not in manifest_path(remote_out).read_text() + remote_out.read_text()
    again = fireact('run', '--model', f'openai-text:{model}', '--base-url', url, '--fmt', 'alpaca', '--out', tmp_path/'alpaca-served.jsonl', *common)
    assert again.returncode == 2 and 'another configuration' in again.stderr and 'Traceback' not in again.stderr

def test_a_resume_against_another_served_model_is_refused(tmp_path):
    from fireact.agent import write_manifest
    out, run = tmp_path/'run.jsonl', {'model': 'openai-text:hotpotqa-lora'}
    first = {'base_url': 'http://127.0.0.1:8000/v1', 'api': 'completions', 'model': 'hotpotqa-lora', 'root': '/adapters/v1', 'parent': 'llama-2-7b'}
    write_manifest(out, run, {}, first)
    write_manifest(out, run, {}, {**first, 'base_url': 'http://127.0.0.1:8001/v1'})  # the same model on another port resumes
    with pytest.raises(ValueError, match='another served model|served model'):
        write_manifest(out, run, {}, {**first, 'root': '/adapters/v2'})  # the same name, other weights

def test_a_model_the_server_cannot_load_is_a_recorded_failure(served):
    url, _ = served
    [c] = OpenAILM('not-this-model', base_url=url, max_retries=1, backoff=0.01).generate(['hi'], max_tokens=4)
    assert not c.ok and c.error and c.text == ''

def test_an_experiment_runs_its_rows_against_the_server_by_their_names(served, tmp_path, monkeypatch):
    from fireact.experiments import run_experiment
    url, _ = served
    table = run_experiment('table2', n=2, only='ReAct (few-shot prompting)', base_url=url, max_tokens=64, root=tmp_path)  # a project of its own
    [row] = table.to_dict('records')
    assert row['status'] == 'complete' and row['path'] == 'runs/hotpotqa/dev_react_fewshot_openai-text-SmolLM2-135M-Instruct_replay_off.jsonl'
    manifest = json.loads(manifest_path(tmp_path/row['path']).read_text())
    assert (manifest['run']['model'], manifest['server']['model']) == ('openai-text:SmolLM2-135M-Instruct', 'SmolLM2-135M-Instruct')

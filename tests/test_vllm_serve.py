"""The agent against a real vLLM server on 127.0.0.1: vLLM's CPU build (`make vllm`, an environment of its own) serving
the embedded SmolLM2-135M-Instruct under its name and Table 2/3's LoRA adapter under its folder's name, as a user who
outgrows one machine serves them on GPUs. Few-shot ReAct through `/v1/completions` and the adapter by name run to the
trajectories the in-process engine makes; the run manifest records the served model and a resume under another is
refused. Skipped, with the command that installs it, where there is no vLLM environment."""
import json
from pathlib import Path
import pytest
from fireact.agent import run_agent
from fireact.config import manifest_path
from fireact.core import project_root, read_trajectories
from fireact.experiments import TOOLCALLS_LORA, TURN_LORA
from fireact.llm import HFLM
from fireact.api import OpenAILM
from fireact.serving import VLLM_PYTHON, vllm_serving
from test_llm_serve import fireact, trajectory_fields  # what must agree between a served and an in-process run

if not (project_root()/VLLM_PYTHON).exists(): pytest.skip('no vLLM environment here: `make vllm` installs it', allow_module_level=True)

@pytest.fixture(scope='module')
def served(tmp_path_factory):
    adapters = [project_root()/TURN_LORA.adapter, project_root()/TOOLCALLS_LORA.adapter]
    with vllm_serving('default', adapters=adapters, log=tmp_path_factory.mktemp('vllm')/'server.log') as url:
        yield url

def test_fewshot_react_and_the_served_adapter_run_to_the_in_process_trajectories(served, tmp_path):
    adapter = Path(TURN_LORA.adapter).name
    cases = {'fewshot': ('SmolLM2-135M-Instruct', {}), 'alpaca': (adapter, {'lora': TURN_LORA.adapter})}
    for fmt, (name, local_kw) in cases.items():
        remote_out, local_out = tmp_path/f'{fmt}-vllm.jsonl', tmp_path/f'{fmt}-local.jsonl'
        r = fireact('run', '--model', f'openai-text:{name}', '--base-url', served, '--fmt', fmt, '--out', remote_out, '--n', 4)
        assert r.returncode == 0, r.stderr[-2000:]
        run_agent(model='default', fmt=fmt, out=str(local_out), n=4, **local_kw)
        assert trajectory_fields(remote_out) == trajectory_fields(local_out), fmt
        server = json.loads(manifest_path(remote_out).read_text())['server']
        assert (server['base_url'], server['api'], server['model']) == (served, 'completions', name)
    again = fireact('run', '--model', 'openai-text:SmolLM2-135M-Instruct', '--base-url', served, '--fmt', 'alpaca',
                    '--out', tmp_path/'alpaca-vllm.jsonl', '--n', 4)  # the adapter's run file, resumed under the base model
    assert again.returncode == 2 and 'another configuration' in again.stderr and 'Traceback' not in again.stderr

def test_chat_completions_give_the_chat_templates_tokens(served):
    chat = [[{'role': 'user', 'content': 'Who wrote Hamlet?'}]]
    [remote] = OpenAILM('SmolLM2-135M-Instruct', base_url=served).generate(chat, max_tokens=16)
    [local] = HFLM().generate(chat, max_tokens=16)
    assert remote.ok and (remote.text, remote.prompt_tokens) == (local.text, local.prompt_tokens)

def test_a_prompt_over_the_served_context_ends_its_trajectory_after_one_call(served):
    "vLLM answers HTTP 400 for a prompt longer than the context it serves: the prompt's doing, so one call, then an unfinished trajectory with the reason."
    from dataclasses import replace
    from fireact.agent import Agent
    from fireact.tasks import get_task
    from fireact.tools import make_search
    lm = OpenAILM('SmolLM2-135M-Instruct', base_url=served, api='completions')
    question = get_task('hotpotqa', 'dev').sample(1)[0]
    long = replace(question, question=question.question + ' Please think.' * 3000)  # over 8,192 tokens
    [t] = Agent(lm, make_search('replay')).run([long], progress=False)
    assert (t.finished, t.failed, t.rounds) == (False, False, [])
    assert t.error.startswith('the model refused the prompt: BadRequestError (HTTP 400)') and 'context length' in t.error, t.error

def tool_fields(path)->list[dict]:
    "What must agree between a served and an in-process tool-call run: as `trajectory_fields`, the calls' ids aside (vLLM draws its own)."
    trajs = read_trajectories(path)
    assert all(r.generated and r.generated[0]['ended'] in ('tool_calls', 'eos', 'length') for t in trajs for r in t.rounds), path
    out = []
    for t in trajs:
        rounds = [{**{k: v for k, v in r.__dict__.items() if k not in ('generated', 'call')}, 'call': r.call and {k: v for k, v in r.call.items() if k != 'id'}} for r in t.rounds]
        out.append({**{k: v for k, v in t.__dict__.items() if k not in ('seconds', 'model', 'completion_tokens', 'rounds')}, 'rounds': rounds})
    return sorted(out, key=lambda t: t['qid'])

def test_tool_calls_through_vllm_run_to_the_in_process_trajectories(served, tmp_path):
    """Issue 45: the toolcalls format through vLLM's chat endpoint (`tools` sent, the model's template with tools, the
    hermes parser) gives the in-process engine's trajectories, for the prompted model and the tool-call adapter served
    by its folder's name."""
    cases = {'SmolLM2-135M-Instruct': {}, Path(TOOLCALLS_LORA.adapter).name: {'lora': TOOLCALLS_LORA.adapter}}
    for name, local_kw in cases.items():
        remote_out, local_out = tmp_path/f'{name}-vllm.jsonl', tmp_path/f'{name}-local.jsonl'
        # the prompted model calls no tool: each round is a reply and two reminders, so three rounds show it
        r = fireact('run', '--model', f'openai:{name}', '--base-url', served, '--fmt', 'toolcalls', '--out', remote_out, '--n', 2, '--max_rounds', 3)
        assert r.returncode == 0, r.stderr[-2000:]
        run_agent(model='default', fmt='toolcalls', out=str(local_out), n=2, max_rounds=3, **local_kw)
        assert tool_fields(remote_out) == tool_fields(local_out), name
        server = json.loads(manifest_path(remote_out).read_text())['server']
        assert (server['api'], server['model']) == ('chat', name)
        rounds = [r for t in read_trajectories(remote_out) for r in t.rounds]
        assert rounds and all(r.source == 'invalid' or r.call for r in rounds)  # a reply without a call is an invalid action
    # the prompted model never calls; the adapter calls in every round, through vLLM's parser as through ours
    assert all(r.call and r.generated[0]['ended'] == 'tool_calls' for t in read_trajectories(remote_out) for r in t.rounds)

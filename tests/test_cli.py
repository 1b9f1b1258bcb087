"The installed `fireact` command, run as a user would, on the authors' released runs."
import json, os, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
LLAMA = 'trajs/hotpotqa_dev_0_500_llama_models_lora_llama-2-7b-d_1000_0.7_2023-09-19-00-49-36.json'
GPT = 'trajs/hotpotqa_dev_0_500_ft_gpt-3.5-turbo-0613_princeton-nlp__7woQRsdi_0.0_2023-09-21-16-19-51.json'

def fireact(*args, **env):
    return subprocess.run([str(BIN/'fireact'), *args], capture_output=True, text=True, env={**os.environ, **env})

@pytest.mark.parametrize('path,em,correct', [(LLAMA, 26.2, 131), (GPT, 40.0, 200)])
def test_rescore_released_runs(path, em, correct):
    r = fireact('rescore', path, '--n', '500')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out['em'], out['correct'], out['n']) == (em, correct, 500)

def test_rescore_smaller_sample_counts_only_those_questions():
    out = json.loads(fireact('rescore', LLAMA, '--n', '20').stdout)
    assert out['n'] == 20 and out['found'] <= 20 and 0 <= out['correct'] <= 20

def test_missing_mirror_file_is_one_clear_error(tmp_path):
    r = fireact('rescore', LLAMA, FIREACT_MIRROR=str(tmp_path))
    assert r.returncode != 0
    assert 'missing from the mirror' in r.stderr and 'raw.githubusercontent.com' in r.stderr

ROOT = Path(__file__).parent.parent

def test_verify_reruns_a_committed_run_from_its_manifest():
    run = 'runs/strategyqa/dev_react_fewshot_default_replay_off.jsonl'  # few-shot ReAct: its weights (the embedded model's) are here
    r = subprocess.run([str(BIN/'fireact'), 'verify', run, '--n', '2'], capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert (summary['questions'], summary['identical_trajectories'], summary['same_answers']) == (2, 2, 2)

def test_verify_refuses_a_run_whose_adapter_is_not_here(tmp_path):
    run = ROOT/'runs/hotpotqa/dev_react_alpaca_gemma3-gemma3-hotpotqa-lora_replay_off.jsonl'
    if (ROOT/'runs/finetune/gemma3-hotpotqa-lora/adapter_config.json').exists(): pytest.skip('the adapter is committed')
    r = subprocess.run([str(BIN/'fireact'), 'verify', str(run)], capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    assert r.returncode == 2 and 'is not here' in r.stderr and 'Traceback' not in r.stderr

def test_an_openai_finetune_without_its_key_is_one_line_and_spends_nothing(tmp_path):
    r = fireact('finetune', 'data/finetune/gpt_format/hotpotqa.jsonl', str(tmp_path/'job'), '--method', 'openai',
                '--key-env', 'FIREACT_TEST_NO_SUCH_KEY', '--base-url', 'http://127.0.0.1:9/v1')
    assert r.returncode == 2 and 'no API key: set FIREACT_TEST_NO_SUCH_KEY' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path/'job'/'job.json').exists()  # nothing recorded, nothing uploaded

def test_a_run_whose_trajectories_failed_exits_1_and_says_how_to_go_on(tmp_path):
    "Issue 44: every call refused (the server rate-limits until the retries give up): the summary is printed, and the exit code tells a script."
    sys.path.insert(0, str(Path(__file__).parent))
    from openai_server import FaultyAgentServer, KEY
    with FaultyAgentServer() as server:
        server.fail('429', n=None)
        r = subprocess.run([str(BIN/'fireact'), 'run', '--model', 'openai-text:agent', '--base-url', server.url, '--key-env', 'CLI_TEST_KEY',
                            '--fmt', 'alpaca', '--n', '2', '--out', str(tmp_path/'run.jsonl')], capture_output=True, text=True, env={**os.environ, 'CLI_TEST_KEY': KEY})
    assert r.returncode == 1, r.stderr[-2000:]
    assert json.loads(r.stdout.splitlines()[-1])['failed'] == 2
    assert r.stderr.strip().splitlines()[-1].startswith('2 of 2 trajectories failed') and 'run the same command again' in r.stderr

def test_a_damaged_manifest_is_an_error_naming_it(tmp_path):
    run = tmp_path/'run.jsonl'
    run.write_text((ROOT/'runs/strategyqa/dev_react_fewshot_default_replay_off.jsonl').read_text())
    Path(str(run) + '.manifest.json').write_text('{"run": {bad')
    for cmd in (['verify', str(run)], ['run', '--method', 'io', '--n', '1', '--out', str(run)]):
        r = fireact(*cmd)
        assert r.returncode == 2 and 'run.jsonl.manifest.json: not valid JSON' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-500:]

def test_browse_reads_a_run_with_a_torn_last_line_as_run_resumes_it(tmp_path):
    whole = (ROOT/'runs/strategyqa/dev_react_fewshot_default_replay_off.jsonl').read_text()
    (tmp_path/'torn.jsonl').write_text(whole + whole.splitlines()[0][:120])  # a write the process did not finish
    r = subprocess.run([str(BIN/'fireact'), 'browse', str(tmp_path/'torn.jsonl'), '--out', str(tmp_path/'t.html')], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and 'read without its torn last line' in r.stderr, r.stderr[-1000:]
    assert (tmp_path/'t.html').stat().st_size > 1000

"`OpenAILM` against a real OpenAI-compatible server: `transformers serve` with the embedded model, on 127.0.0.1, offline."
import os, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest
from fireact.llm import HFLM, OpenAILM, default_model_dir

BIN = Path(sys.executable).parent

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def served(tmp_path_factory):
    "A `transformers serve` process pinned to the embedded model's folder; yields (base_url, model name)."
    model, port = str(default_model_dir()), free_port()
    log = tmp_path_factory.mktemp('serve')/'serve.log'
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1'}
    with open(log, 'w') as out:
        proc = subprocess.Popen([str(BIN/'transformers'), 'serve', model, '--host', '127.0.0.1', '--port', str(port),
                                 '--device', 'cpu', '--dtype', 'float32'], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None: pytest.fail(f'transformers serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}')
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=2) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.monotonic() > deadline: pytest.fail(f'transformers serve did not start:\n{log.read_text()[-3000:]}')
            time.sleep(0.5)
        yield f'http://127.0.0.1:{port}/v1', model
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()

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

def test_raw_text_is_sent_as_one_user_message(served, local):
    url, model = served
    [c] = OpenAILM(model, base_url=url).generate(['Who wrote Hamlet?'], max_tokens=12)
    [ref] = local.generate([[{'role': 'user', 'content': 'Who wrote Hamlet?'}]], max_tokens=12)
    assert c.text == ref.text

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

def test_a_model_the_server_does_not_have_is_a_recorded_failure(served):
    url, _ = served
    [c] = OpenAILM('not-this-model', base_url=url, max_retries=1, backoff=0.01).generate(['hi'], max_tokens=4)
    assert not c.ok and 'HTTP 400' in c.error and c.text == ''

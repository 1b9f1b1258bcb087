"The scan that keeps keys and machine paths out of saved notebook outputs: it finds a key in a real notebook file, and passes a masked one."
import json, os, subprocess, sys
from pathlib import Path

SCAN = Path(__file__).resolve().parent.parent/'scripts'/'secrets_scan.py'

def notebook(path, *texts):
    cells = [{'cell_type': 'code', 'execution_count': 1, 'metadata': {}, 'source': 'x',
              'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': t}]} for t in texts]
    path.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    return path

def scan(*paths, env=None):
    return subprocess.run([sys.executable, SCAN, *map(str, paths)], capture_output=True, text=True, env={**os.environ, **(env or {})})

def test_a_key_in_an_output_fails_the_scan(tmp_path):
    leaky = notebook(tmp_path/'leaky.ipynb', 'calling with sk-proj-' + 'a1B2' * 10)
    r = scan(leaky)
    assert r.returncode == 1 and 'leaky.ipynb: sk-proj-a1B2' in r.stdout and 'a1B2a1B2a1B2' not in r.stdout  # named, not shown whole

def test_masked_keys_and_plain_text_pass(tmp_path):
    clean = notebook(tmp_path/'clean.ipynb', "Incorrect API key provided: sk-tes*****cdef.", 'EM 5.6 [3.8, 7.8]', 'api_key=***&q=x')
    assert scan(clean).returncode == 0

def test_the_value_of_a_key_variable_fails_the_scan(tmp_path):
    nb = notebook(tmp_path/'env.ipynb', 'the serp key is 0123456789abcdef-local')
    assert scan(nb, env={'SERPAPI_API_KEY': '0123456789abcdef-local'}).returncode == 1
    assert scan(nb, env={'SERPAPI_API_KEY': 'another-key-entirely'}).returncode == 0

def test_a_path_of_this_machine_fails_the_scan(tmp_path):
    project = SCAN.parent.parent
    local = notebook(tmp_path/'local.ipynb', f"Path('{project.parent}/shared/fireact-release/data/hotpotqa/dev.json')")
    r = scan(local)
    assert r.returncode == 1 and f"local.ipynb: names this machine's {project.parent}/shared/" in r.stdout
    assert scan(notebook(tmp_path/'relative.ipynb', "Path('data/hotpotqa/dev.json')", f"{tmp_path}/run.jsonl: cut off a torn line")).returncode == 0

"The README's main job, end to end on 2 questions: the embedded SmolLM2-135M, real generation, real replay search."
import json, os, subprocess, sys
from pathlib import Path

def test_demo_two_questions(tmp_path):
    r = subprocess.run([str(Path(sys.executable).parent/'fireact'), 'demo', '--n', '2'], capture_output=True, text=True,
                       cwd=tmp_path, env=os.environ.copy(), timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'EM ' in r.stdout and '/2)' in r.stdout
    records = [json.loads(l) for l in (tmp_path/'runs'/'demo.jsonl').read_text().splitlines()]
    assert len(records) == 2 and {r['search_backend'] for r in records} == {'replay'}
    assert all(r['rounds'] and r['prompt_tokens'] > 500 and r['completion_tokens'] > 0 for r in records)
    assert all(r['model'].startswith('SmolLM2-135M') for r in records)

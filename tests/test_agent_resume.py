"A run killed with SIGKILL midway and restarted ends with each question exactly once, as an uninterrupted run would."
import json, os, signal, subprocess, sys, time, textwrap
from pathlib import Path

SCRIPT = textwrap.dedent('''
    import sys, time
    from fireact.agent import Agent
    from fireact.config import RunConfig
    from fireact.llm import Completion
    from fireact.tasks import get_task
    from fireact.tools import make_search

    class SlowDeterministicLM:
        "Searches the question, then answers with the first words of the observation; slow enough to be killed midway."
        name = 'deterministic'
        def generate(self, prompts, stop=None, max_tokens=256, temperature=0.0):
            time.sleep(0.3)
            outs = []
            for p in prompts:
                obs = p.split('Observation: ')
                text = (' Search it.\\nAction: search[' + p.split('### Instruction:\\n')[1].split('\\n')[0] + ']' if len(obs) == 1
                        else ' Answer.\\nAction: finish[' + ' '.join(obs[-1].split()[:2]) + ']')
                outs.append(Completion(text, len(p.split()), len(text.split()), 0.0))
            return outs

    questions = get_task('hotpotqa', 'dev').sample(int(sys.argv[2]))
    Agent(SlowDeterministicLM(), make_search('replay'), RunConfig(fmt='alpaca', batch_size=2)).run(questions, out=sys.argv[1], progress=False)
''')

def run(tmp_path, out, n, kill_after_lines=None):
    script = tmp_path/'run_agent.py'; script.write_text(SCRIPT)
    p = subprocess.Popen([sys.executable, str(script), str(out), str(n)], env=os.environ.copy(), start_new_session=True)
    if kill_after_lines is None: assert p.wait(timeout=300) == 0; return
    deadline = time.time() + 300
    while time.time() < deadline and p.poll() is None:
        if out.exists() and len(out.read_text().splitlines()) >= kill_after_lines: break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL); p.wait()

def records(path): return [json.loads(l) for l in path.read_text().splitlines()]

def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path):
    n = 8
    killed, clean = tmp_path/'killed.jsonl', tmp_path/'clean.jsonl'
    run(tmp_path, killed, n, kill_after_lines=2)
    partial = records(killed)
    assert 2 <= len(partial) < n, 'the kill should land midway'
    run(tmp_path, killed, n)
    run(tmp_path, clean, n)
    resumed, uninterrupted = records(killed), records(clean)
    assert sorted(r['qid'] for r in resumed) == sorted(r['qid'] for r in uninterrupted)
    assert len({r['qid'] for r in resumed}) == n == len(resumed)
    strip = lambda r: {k: v for k, v in r.items() if k not in ('seconds',)}
    assert {r['qid']: strip(r) for r in resumed} == {r['qid']: strip(r) for r in uninterrupted}

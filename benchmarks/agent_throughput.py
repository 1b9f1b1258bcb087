"""Trajectories per minute of the batched agent runner vs one question at a time (the release's loop), and the per-trial
prompt tokens and seconds of few-shot ReAct vs the zero-shot fine-tuned format, on the same model and questions.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/agent_throughput.py [--n 16] [--lora PATH]

Prints a table and writes benchmarks/results/agent_throughput.json (with the digests of the weights each agent ran).
The agents run one after the other in one process, on the same questions, so their seconds per trial compare. Without --lora the zero-shot row runs the base model
in the Alpaca format (same prompt shape as the fine-tuned agent; its answers are not the point, its cost is)."""
import argparse, json, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
from fireact.agent import Agent, AgentConfig
from fireact.runs import summarize
from fireact.llm import get_lm
from fireact.tasks import get_task
from fireact.tools import make_search

def timed(agent, questions):
    t0 = time.perf_counter(); trajs = agent.run(questions, progress=False); wall = time.perf_counter() - t0
    s = summarize(trajs, questions)
    return {'wall_s': round(wall, 1), 'trajectories_per_min': round(60*len(trajs)/wall, 2), 'em': s['em'],
            'turns_mean': s['rounds_mean'], 'prompt_tokens_per_trial': s['prompt_tokens'],
            'completion_tokens_per_trial': s['completion_tokens'], 'seconds_per_trial': s['seconds']}

def main(n=16, lora=None):
    questions = get_task('hotpotqa', 'dev').sample(n)
    search = make_search('replay')
    base = get_lm('default')
    rows = {}
    rows['react few-shot, batched'] = timed(Agent(base, search, AgentConfig(batch_size=n)), questions)
    rows['react few-shot, one at a time'] = timed(Agent(base, search, AgentConfig(batch_size=1)), questions)
    zero = get_lm('default', lora=lora) if lora else base
    rows['zero-shot alpaca, batched' + (' (LoRA)' if lora else ' (base model)')] = timed(Agent(zero, search, AgentConfig(fmt='alpaca', batch_size=n)), questions)
    speedup = rows['react few-shot, batched']['trajectories_per_min']/rows['react few-shot, one at a time']['trajectories_per_min']
    print(f"{'run':<42} {'traj/min':>9} {'s/trial':>8} {'prompt tok/trial':>17} {'turns':>6} {'EM':>5}")
    for k, r in rows.items():
        print(f"{k:<42} {r['trajectories_per_min']:>9} {r['seconds_per_trial']:>8} {r['prompt_tokens_per_trial']:>17} {r['turns_mean']:>6} {r['em']:>5}")
    print(f'batched / one-at-a-time: {speedup:.1f}x')
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_end': os.getloadavg(), 'n_questions': n, 'lora': lora, 'weights': {'few-shot': base.weights, 'zero-shot': zero.weights},
           'runs': rows, 'batched_speedup': round(speedup, 2)}
    path = Path(__file__).parent/'results'/'agent_throughput.json'
    path.parent.mkdir(exist_ok=True); path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=16); ap.add_argument('--lora')
    a = ap.parse_args(); main(a.n, a.lora)

"""What caching each trajectory's earlier rounds saves an agent on a local model: the same questions run with the key/value
cache off (`prefix_budget=0`: every round's prompt computed in full) and on (the few-shot prefix and each row's previous
round taken from the cache), on the same model in one process, and whether the trajectories are the same.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/round_cache.py [--n 16] [--lora PATH] [--format alpaca]

Long trajectories gain most: pass an adapter whose agent takes many rounds (e.g. one trained on 100 trajectories).
Prints a table and writes benchmarks/results/round_cache.json."""
import argparse, json, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
from fireact.agent import Agent
from fireact.config import RunConfig
from fireact.runs import summarize
from fireact.serving import get_lm
from fireact.tasks import get_task
from fireact.tools import make_search

def timed(lm, budget, questions, fmt):
    lm.prefixes.max_bytes = budget; lm.prefixes.clear()
    lm.stats.update(prefill_tokens=0, reused_tokens=0)
    agent = Agent(lm, make_search('replay'), RunConfig(fmt=fmt, batch_size=len(questions)))
    t0 = time.perf_counter(); trajs = agent.run(questions, progress=False); wall = time.perf_counter() - t0
    s = summarize(trajs, questions)
    return trajs, {'wall_s': round(wall, 1), 'trajectories_per_min': round(60*len(trajs)/wall, 2), 'em': s['em'], 'turns_mean': s['rounds_mean'],
                   'prefill_tokens': lm.stats['prefill_tokens'], 'reused_tokens': lm.stats['reused_tokens']}

def main(n=16, lora=None, fmt='alpaca'):
    questions = get_task('hotpotqa', 'dev').sample(n)
    lm = get_lm('default', lora=lora)
    off, rows_off = timed(lm, 0, questions, fmt)
    on, rows_on = timed(lm, 4 << 30, questions, fmt)
    same = sum(a.rounds == b.rounds and a.answer == b.answer for a, b in zip(off, on))
    rows = {'cache off (every round computed in full)': rows_off, 'cache on (prefix and earlier rounds reused)': rows_on}
    speedup = rows_off['wall_s'] / rows_on['wall_s']
    print(f"{'run':<46} {'wall s':>7} {'traj/min':>9} {'prefill tok':>12} {'reused tok':>11} {'turns':>6} {'EM':>5}")
    for k, r in rows.items():
        print(f"{k:<46} {r['wall_s']:>7} {r['trajectories_per_min']:>9} {r['prefill_tokens']:>12} {r['reused_tokens']:>11} {r['turns_mean']:>6} {r['em']:>5}")
    print(f'off / on: {speedup:.2f}x wall, {rows_off["prefill_tokens"] / rows_on["prefill_tokens"]:.1f}x prefill tokens; same trajectories: {same} of {n}')
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_end': os.getloadavg(), 'n_questions': n, 'lora': lora, 'format': fmt, 'runs': rows,
           'speedup': round(speedup, 2), 'same_trajectories': same}
    path = Path(__file__).parent/'results'/'round_cache.json'
    path.parent.mkdir(exist_ok=True); path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=16); ap.add_argument('--lora'); ap.add_argument('--format', default='alpaca')
    a = ap.parse_args(); main(a.n, a.lora, a.format)

"""One round of the agent's continuous batching, as it looks mid-run: most trajectories at their first or second round,
a few deep in theirs. Generation wall time with the padding bound (`HFLM.max_padding`, default 2) against without it
(every prompt in one batch, all prefilled to the longest one's length), same prompts, same greedy outputs.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/padding_bound.py [--shallow 28] [--deep 4]

The deep prompts replay the longest trajectories of the committed few-shot ReAct run (their first 8 rounds).
Prints a table and writes benchmarks/results/padding_bound.json."""
import argparse, json, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
from fireact.core import read_trajectories
from fireact.llm import common_prefix_len
from fireact.serving import get_lm
from fireact.methods import fewshot_prefix, step_prompt
from fireact.tasks import get_task

RUN = Path(__file__).parent.parent/'runs'/'hotpotqa'/'dev_react_fewshot_default_replay_off.jsonl'

def main(shallow=28, deep=4, max_tokens=128):
    prefix = fewshot_prefix('hotpotqa', 'react', 'own')
    long = sorted(read_trajectories(RUN), key=lambda t: -len(t.rounds))[:deep]
    prompts = ([step_prompt(q.question, [], 'fewshot', prefix) for q in get_task('hotpotqa', 'dev').sample(shallow)]
               + [step_prompt(t.question, t.rounds[:8], 'fewshot', prefix) for t in long])
    lm = get_lm('default')
    lm.generate(prompts[:1], max_tokens=1)  # the few-shot prefix in the cache for both
    ids = [lm.encode(p) for p in prompts]
    lengths, shared = {i: len(t) for i, t in enumerate(ids)}, common_prefix_len(ids)
    rows, texts = {}, {}
    for label, bound in (('one batch (no padding bound)', float('inf')), ('padding bound 2 (default)', 2.0)):
        lm.max_padding = bound
        before = lm.stats['prefill_tokens']
        t0 = time.perf_counter(); outs = lm.generate(prompts, stop=['\nObservation'], max_tokens=max_tokens); wall = time.perf_counter() - t0
        rows[label] = {'wall_s': round(wall, 1), 'batches': len(lm._batches(lengths, max_tokens, shared)),
                       'prefill_tokens': lm.stats['prefill_tokens'] - before, 'completion_tokens': sum(o.completion_tokens for o in outs)}
        texts[label] = [o.text for o in outs]
    same = len(set(map(tuple, texts.values()))) == 1
    a, b = rows.values()
    speedup = a['wall_s']/b['wall_s']
    print(f"{len(prompts)} prompts: {shallow} at their first round, {deep} at round 9; prompt tokens (shared prefix included): "
          f"{min(lengths.values())}-{max(lengths.values())}")
    print(f"{'batching':<32} {'wall s':>7} {'batches':>8} {'prefill tok':>12} {'completion tok':>15}")
    for k, r in rows.items(): print(f"{k:<32} {r['wall_s']:>7} {r['batches']:>8} {r['prefill_tokens']:>12} {r['completion_tokens']:>15}")
    print(f'speedup {speedup:.2f}x; identical outputs: {same}')
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_end': os.getloadavg(), 'prompts': len(prompts), 'shallow': shallow, 'deep': deep, 'max_tokens': max_tokens,
           'runs': rows, 'speedup': round(speedup, 2), 'identical_outputs': same}
    path = Path(__file__).parent/'results'/'padding_bound.json'
    path.parent.mkdir(exist_ok=True); path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--shallow', type=int, default=28); ap.add_argument('--deep', type=int, default=4)
    a = ap.parse_args(); main(a.shallow, a.deep)

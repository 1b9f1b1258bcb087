"""Search-tool latencies: a cache hit (SQLite, through `SerpAPISearch.search`), a replay lookup over the full index
(exact and nearest query), and the replay index's build time. The goal is at most 1 ms per lookup on average.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/search_lookup.py

prints a table and writes benchmarks/results/search_lookup.json (`--out` to change, `--out ''` for none).
Nothing here touches the network: the SerpAPI backend only ever answers from its cache.
"""
import argparse, json, os, platform, statistics, sys, tempfile, time
from pathlib import Path
from fireact.core import parse_action
from fireact.runs import load_released_run
from fireact.data import fetch
from fireact.tasks import get_task
from fireact.core import AnswerCache
from fireact.tools import ReplayIndex, SerpAPISearch, replay_files

def clock(fn, items)->list[float]:
    "Seconds each call of fn took, one per item."
    out = []
    for x in items:
        t = time.perf_counter(); fn(x); out.append(time.perf_counter() - t)
    return out

def summary(seconds:list[float])->dict:
    s = sorted(seconds)
    us = lambda v: round(v * 1e6, 1)
    return {'n': len(s), 'mean_us': us(statistics.fmean(s)), 'p50_us': us(s[len(s) // 2]),
            'p99_us': us(s[min(len(s) - 1, int(len(s) * .99))]), 'max_us': us(s[-1])}

def main(out:str):
    results = {}
    t = time.perf_counter(); index = ReplayIndex.build(); cold = time.perf_counter() - t  # includes checksum checks
    builds = [clock(lambda _: ReplayIndex.build(), [None])[0] for _ in range(3)]
    results['replay build (s)'] = {'first in process': round(cold, 3), 'again, median of 3': round(statistics.median(builds), 3),
                                   'queries': len(index)}

    exact = list(index.queries)
    results['replay exact'] = summary(clock(index.search, exact * 2))
    assert {index.search(q).mode for q in exact} == {'replay_exact'}
    dev = [q.question for q in get_task('hotpotqa', 'dev').sample(500, 233)]
    results['replay nearest: dev questions as queries'] = summary(clock(index.search, dev * 2))
    shortened = [' '.join(q.split()[:-1]) for q in exact if len(q.split()) > 2]
    shortened = [q for q in shortened if q not in index]
    results['replay nearest: recorded queries less their last word'] = summary(clock(index.search, shortened))
    gpt = [n for n in replay_files() if 'gpt-3.5' in n][0]
    held_out = ReplayIndex.build([n for n in replay_files() if n != gpt])
    agent = [parse_action(r.action)[1] for t in load_released_run(fetch(gpt)) for r in t.rounds if r.tool == 'search']
    results['replay, held-out GPT-3.5 run queries'] = summary(clock(held_out.search, agent))

    with tempfile.TemporaryDirectory() as tmp:
        cache = AnswerCache(Path(tmp)/'search.sqlite')
        rows = [(f'benchmark query {i} {q}', o) for i, (q, o) in enumerate(zip(index.queries, index.observations))]
        put = clock(lambda row: cache.put('serpapi', row[0], row[1], json.dumps({'organic_results': [{'snippet': row[1]}]})), rows[:500])
        with cache._conn() as conn: conn.executemany("INSERT OR IGNORE INTO searches VALUES ('serpapi', ?, ?, NULL, 0)", rows[500:])
        tool = SerpAPISearch(api_key='benchmark-no-key', cache=cache, base_url='http://127.0.0.1:9')  # never contacted
        queries = [q for q, _ in rows]
        hits = clock(tool.search, queries)
        assert tool.stats['hits'] == len(queries) and tool.stats['misses'] == 0
        results[f'cache hit through SerpAPISearch.search ({len(rows)} rows)'] = summary(hits)
        results['cache write, committed with full sync (per paid call)'] = summary(put)

    width = max(map(len, results))
    print(f'{"":<{width}}  {"n":>5} {"mean µs":>9} {"p50 µs":>8} {"p99 µs":>8} {"max µs":>8}')
    for name, r in results.items():
        if 'mean_us' in r: print(f'{name:<{width}}  {r["n"]:>5} {r["mean_us"]:>9} {r["p50_us"]:>8} {r["p99_us"]:>8} {r["max_us"]:>8}')
        else: print(f'{name:<{width}}  ' + ', '.join(f'{k}: {v}' for k, v in r.items()))
    lookups = [r['mean_us'] for name, r in results.items() if name.startswith(('replay exact', 'replay nearest', 'replay,', 'cache hit'))]
    load = os.getloadavg()[0]
    print(f'goal ≤ 1 ms per lookup: {"met" if max(lookups) <= 1000 else "NOT met"} (worst mean {max(lookups)} µs; '
          f'load average {load:.1f} on {os.cpu_count()} cpus: p99 and max reflect other processes when it is high)')
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        machine = {'python': platform.python_version(), 'machine': platform.machine(), 'cpus': os.cpu_count(),
                   'load_average_1min': round(os.getloadavg()[0], 2)}
        Path(out).write_text(json.dumps({'machine': machine, 'results': results}, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'search_lookup.json'))
    main(ap.parse_args().out)

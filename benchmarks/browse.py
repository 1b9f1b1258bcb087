"""What the trajectory browser costs for Table 2's pair on 500 questions: building the page (read, re-score, write),
its size, and in headless Chromium the time to first show the list, to filter it, and to open a question.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/browse.py [--repeats 5]

Writes benchmarks/results/browse.json. Medians of `--repeats` runs; nothing else should run meanwhile.
"""
import argparse, json, os, platform, statistics, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fireact.browse import browse, chromium, open_page

PAIR = ['runs/hotpotqa/dev_react_fewshot_default_replay_off_n500.jsonl',
        'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off_n500.jsonl']

def in_chromium(path:Path)->dict:
    "Seconds to the list of 500 shown, to a filter's new list, and to a question's rounds, in one fresh page."
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = chromium(p)
        try:
            t = time.perf_counter(); page = open_page(path, b)
            page.wait_for_function("document.getElementById('count') && document.getElementById('count').textContent.startsWith('500 of')")
            shown = time.perf_counter() - t
            t = time.perf_counter(); page.select_option('#out-1', 'right')
            page.wait_for_function("!document.getElementById('count').textContent.startsWith('500 of')")
            filtered = time.perf_counter() - t
            t = time.perf_counter(); page.click('details.q summary'); page.wait_for_selector('details.q .step')
            opened = time.perf_counter() - t
        finally: b.close()
    return {'open_to_list_s': shown, 'filter_s': filtered, 'open_question_s': opened}

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--out', default=str(ROOT/'benchmarks/results/browse.json')); a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)/'table2.html'
        builds, views = [], []
        for _ in range(a.repeats):
            t = time.perf_counter(); browse([ROOT/p for p in PAIR], path); builds.append(time.perf_counter() - t)
            views.append(in_chromium(path))
        size = path.stat().st_size
    med = lambda xs: round(statistics.median(xs), 3)
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'command': 'benchmarks/browse.py' + (f' --repeats {a.repeats}' if a.repeats != 5 else ''), 'runs': PAIR, 'questions': 500,
           'repeats': a.repeats, 'build_s': med(builds), 'page_bytes': size,
           **{k: med([v[k] for v in views]) for k in views[0]}}
    Path(a.out).write_text(json.dumps(out, indent=1) + '\n'); print(json.dumps(out, indent=1))

if __name__ == '__main__': main()

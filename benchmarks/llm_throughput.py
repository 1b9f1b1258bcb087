"""Local generation throughput of the embedded SmolLM2-135M-Instruct (`HFLM`) on this machine's CPU.

1. Decode throughput: generated tokens per second, one prompt at a time against batches of 8/16/32/64, with the
   peak resident memory of each. Every row generates exactly `--tokens` tokens (end-of-sequence is ignored for the
   measurement), after a short chat prompt (~40 tokens), so the figure is decode-dominated.
2. Shared-prefix reuse: the authors' HotpotQA few-shot ReAct prompt before `--questions` dev questions. Time to the
   first token of every question (the prefill) without reuse, on a cold prefix cache (the prefix computed once for
   the batch) and on a warm one (the agent's next round), and a whole round of `--round-tokens` tokens each way.

    OMP_WAIT_POLICY=PASSIVE FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/llm_throughput.py

prints tables and writes benchmarks/results/llm_throughput.json (`--out` to change, `--out ''` for none).
Each configuration is measured `--repeats` times, interleaved, and the best is kept: other processes may share the
CPU (the load average before and after is recorded), so ratios within one run say more than absolute numbers.
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE') # spinning OpenMP threads collapse when other processes share the cores
import argparse, datetime, json, platform, statistics, sys, time
from pathlib import Path
import torch, transformers
from fireact.data import fetch
from fireact.llm import HFLM, common_prefix_len
from fireact.tasks import get_task

def reset_peak_rss():
    "Reset the kernel's high-water mark of this process's resident memory (Linux)."
    try: Path('/proc/self/clear_refs').write_text('5')
    except OSError: pass

def peak_rss_mib()->float:
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmHWM:'): return round(int(line.split()[1]) / 1024, 1)
    return float('nan')

def timed(fn):
    t = time.perf_counter(); out = fn(); return time.perf_counter() - t, out

def decode_throughput(lm:HFLM, prompts:list, batch:int, tokens:int)->dict:
    "Generate `tokens` tokens for each prompt, `batch` at a time; tokens per second over the whole call."
    lm.batch_size = batch
    reset_peak_rss()
    seconds, outs = timed(lambda: lm.generate(prompts, max_tokens=tokens))
    assert all(c.completion_tokens == tokens for c in outs)
    return {'prompts': len(prompts), 'seconds': round(seconds, 2), 'tok_s': round(len(prompts) * tokens / seconds, 1),
            'peak_rss_mib': peak_rss_mib()}

def prefix_reuse(lm:HFLM, prompts:list, round_tokens:int)->dict:
    "Prefill (time to first token) and a whole round, without reuse, with a cold and with a warm prefix cache."
    stop, out = ['\nObservation'], {}
    def run(label, budget, max_tokens, clear=True):
        lm.prefixes.max_bytes = budget
        if clear: lm.prefixes.clear()
        lm.stats.update(prefill_tokens=0, reused_tokens=0)
        seconds, outs = timed(lambda: lm.generate(prompts, stop=stop, max_tokens=max_tokens))
        out[label] = {'seconds': round(seconds, 2), **lm.stats}
        return [c.text for c in outs]
    run('prefill, no reuse', 0, 1)
    run('prefill, cold prefix cache', 1 << 30, 1)
    run('prefill, warm prefix cache', 1 << 30, 1, clear=False)
    plain = run('round, no reuse', 0, round_tokens)
    run('round, cold prefix cache', 1 << 30, round_tokens)
    reused = run('round, warm prefix cache', 1 << 30, round_tokens, clear=False)
    assert reused == plain, 'prefix reuse changed the output'
    return out

def best(runs:list[dict], key:str)->dict:
    return max(runs, key=lambda r: r[key]) if key == 'tok_s' else min(runs, key=lambda r: r[key])

def main(out:str, tokens:int, batches:list[int], single:int, repeats:int, questions:int, round_tokens:int):
    load_before = os.getloadavg()
    lm = HFLM()
    lm.eos = set() # every row generates exactly `tokens` tokens, so that all batch sizes do the same work
    dev = get_task('hotpotqa', 'dev').sample(max(batches + [questions]))
    chats = [[{'role': 'user', 'content': f'Answer in one sentence: {q.question}'}] for q in dev]
    lm.generate(chats[:2], max_tokens=4) # warm up
    sizes = [1] + batches
    runs = {b: [] for b in sizes}
    for _ in range(repeats):
        for b in sizes: runs[b].append(decode_throughput(lm, chats[:single] if b == 1 else chats[:b], b, tokens))
    decode = {b: {**best(r, 'tok_s'), 'tok_s_all': [x['tok_s'] for x in r]} for b, r in runs.items()}
    for b in batches: decode[b]['speedup_vs_1'] = round(decode[b]['tok_s'] / decode[1]['tok_s'], 1)

    lm = HFLM()
    fewshot = fetch('prompts/react_hotpotqa_google.txt').read_text()
    react = [fewshot + q.question + '\n' for q in dev[:questions]]
    shared = common_prefix_len([lm.encode(p) for p in react])
    reuse_runs = [prefix_reuse(lm, react, round_tokens) for _ in range(repeats)]
    reuse = {k: best([r[k] for r in reuse_runs], 'seconds') for k in reuse_runs[0]}
    saved = {'prefill seconds saved, cold': round(reuse['prefill, no reuse']['seconds'] - reuse['prefill, cold prefix cache']['seconds'], 2),
             'prefill seconds saved, warm': round(reuse['prefill, no reuse']['seconds'] - reuse['prefill, warm prefix cache']['seconds'], 2),
             'prefill speedup, cold': round(reuse['prefill, no reuse']['seconds'] / reuse['prefill, cold prefix cache']['seconds'], 1),
             'prefill speedup, warm': round(reuse['prefill, no reuse']['seconds'] / reuse['prefill, warm prefix cache']['seconds'], 1),
             'round speedup, warm': round(reuse['round, no reuse']['seconds'] / reuse['round, warm prefix cache']['seconds'], 1)}

    result = {
        'date': datetime.datetime.now().isoformat(timespec='seconds'),
        'machine': {'python': platform.python_version(), 'machine': platform.machine(), 'cpus': os.cpu_count(),
                    'cpu': next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines()
                                 if l.startswith('model name')), platform.processor()),
                    'torch': torch.__version__, 'transformers': transformers.__version__, 'torch_threads': torch.get_num_threads(),
                    'OMP_WAIT_POLICY': os.environ.get('OMP_WAIT_POLICY'),
                    'load_average_before': [round(x, 2) for x in load_before],
                    'load_average_after': [round(x, 2) for x in os.getloadavg()]},
        'model': lm.name, 'dtype': str(lm.dtype), 'decode_tokens_per_row': tokens, 'repeats': repeats,
        'decode': {str(b): v for b, v in decode.items()},
        'prefix_reuse': {'questions': questions, 'prompt_tokens': [len(lm.encode(p)) for p in react], 'shared_prefix_tokens': shared,
                         'round_tokens': round_tokens, **reuse, **saved},
    }
    print(f"{'batch':>6} {'tok/s':>8} {'x one':>6} {'peak RSS MiB':>13}   all runs (tok/s)")
    for b, r in decode.items():
        print(f"{b:>6} {r['tok_s']:>8} {r.get('speedup_vs_1', 1.0):>6} {r['peak_rss_mib']:>13}   {r['tok_s_all']}")
    print(f"\nReAct few-shot prompt: {questions} questions, {shared} shared prefix tokens")
    print(f"{'':<30} {'seconds':>8} {'prefill tok':>12} {'reused tok':>11}")
    for k, v in reuse.items(): print(f"{k:<30} {v['seconds']:>8} {v['prefill_tokens']:>12} {v['reused_tokens']:>11}")
    for k, v in saved.items(): print(f'{k}: {v}')
    print(f"load average before {result['machine']['load_average_before']}, after {result['machine']['load_average_after']}")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(result, indent=1) + '\n')
    return result

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'llm_throughput.json'))
    p.add_argument('--tokens', type=int, default=64, help='tokens generated per prompt')
    p.add_argument('--batches', type=int, nargs='+', default=[8, 16, 32, 64])
    p.add_argument('--single', type=int, default=4, help='prompts generated one at a time for the batch-1 figure')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--questions', type=int, default=16, help='questions after the few-shot ReAct prompt')
    p.add_argument('--round-tokens', type=int, default=48, help='tokens per question in a whole ReAct round')
    a = p.parse_args()
    main(a.out, a.tokens, a.batches, a.single, a.repeats, a.questions, a.round_tokens)

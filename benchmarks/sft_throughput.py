"""SFT throughput on the embedded SmolLM2-135M: padding-free packing and length-grouped batches against padding
every example to the cutoff, on the same trajectories (one epoch of each, LoRA, the paper's preset).

    PYTHONPATH=. FIREACT_MIRROR=... python benchmarks/sft_throughput.py [--n 48] [--modes group,padfree,pad]

Each mode runs in its own process so that its peak resident memory is its own. Prints a table and writes
benchmarks/results/sft_throughput.json."""
import argparse, json, os, platform, resource, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = 'data/finetune/alpaca_format/hotpotqa.json'

def run_one(mode:str, n:int, cutoff:int, micro_batch:int, batch:int)->dict:
    "Train one epoch on the first `n` trajectories with one batching mode; measured inside this process."
    from fireact.train import finetune, read_sft
    work = Path(tempfile.mkdtemp(prefix=f'sft-{mode}-'))
    (work/'data.json').write_text(json.dumps(read_sft(DATA)[:n]))
    t0 = time.time()
    card = finetune(work/'data.json', work/'run', batching=mode, epochs=1, batch=batch, micro_batch=micro_batch, cutoff=cutoff,
                    val=0, save_steps=10**6, logging_steps=10**6, progress=False)
    return {'batching': mode, 'steps': card['steps'], 'tokens': card['tokens_seen'], 'train_seconds': card['wall_seconds'],
            'tokens_per_second': card['tokens_per_second'], 'process_seconds': round(time.time() - t0, 1),
            'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=48, help='trajectories (one epoch each mode)')
    p.add_argument('--cutoff', type=int, default=512)
    p.add_argument('--micro_batch', type=int, default=4)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--modes', default='group,padfree,pad')
    p.add_argument('--concurrent', default='', help='say what else ran on the machine meanwhile, recorded in the JSON')
    p.add_argument('--one', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one: return print(json.dumps(run_one(a.one, a.n, a.cutoff, a.micro_batch, a.batch)))
    rows = []
    for mode in a.modes.split(','):
        r = subprocess.run([sys.executable, __file__, '--one', mode, '--n', str(a.n), '--cutoff', str(a.cutoff),
                            '--micro_batch', str(a.micro_batch), '--batch', str(a.batch)], capture_output=True, text=True)
        if r.returncode: sys.exit(f'{mode} failed:\n{r.stderr[-3000:]}')
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    pad = next((r['tokens_per_second'] for r in rows if r['batching'] == 'pad'), None)
    for r in rows: r['speedup_vs_pad'] = round(r['tokens_per_second'] / pad, 2) if pad else None
    print(f"{'batching':<9} {'steps':>5} {'tokens':>7} {'seconds':>8} {'tokens/s':>9} {'vs pad':>7} {'peak RSS MiB':>13}")
    for r in rows:
        print(f"{r['batching']:<9} {r['steps']:>5} {r['tokens']:>7} {r['train_seconds']:>8.1f} {r['tokens_per_second']:>9.1f} "
              f"{r['speedup_vs_pad'] or 0:>7.2f} {r['peak_rss_mib']:>13}")
    import torch
    out = {'benchmark': 'sft_throughput', 'date': datetime.now(timezone.utc).isoformat(timespec='seconds'),
           'machine': {'platform': platform.platform(), 'processor': platform.processor() or platform.machine(),
                       'cpus': os.cpu_count(), 'torch_threads': torch.get_num_threads(), 'torch': torch.__version__},
           'concurrent': a.concurrent or None,
           'setup': {'model': 'SmolLM2-135M-Instruct (embedded)', 'method': 'lora', 'lora': 'paper', 'data': DATA,
                     'examples': a.n, 'epochs': 1, 'cutoff': a.cutoff, 'micro_batch': a.micro_batch, 'batch': a.batch,
                     'tokens': 'tokens of the examples, padding excluded; per second of training wall time'},
           'results': rows}
    (HERE/'results').mkdir(exist_ok=True)
    (HERE/'results'/'sft_throughput.json').write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__': main()

"""The same few-shot ReAct workload through each engine this project can drive: HotpotQA dev questions (the first
`--n` of the seed-233 sample, extrapolated to `--extrapolate` questions and said so), the embedded SmolLM2-135M-Instruct,
replay search, greedy decoding.

  (a) `HFLM` in process: the project's default path (batched rounds, shared-prefix and earlier-round key/value reuse)
  (b) `transformers serve` through `/v1/completions` (`openai-text:`), the same safetensors weights
  (c) llama.cpp's OpenAI-compatible server (llama-cpp-python) on the GGUF file those weights come from, when installed
      (`pip install 'llama-cpp-python[server]'`, built from source in about 8 minutes on 2 cores)
  (d) the release's loop shape: one question at a time, the whole prompt recomputed every round (`HFLM`, no reuse)

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/engines.py [--n 32]

Prints a table (trajectories per minute, tokens per second, answers and trajectories identical to (a)) and writes
benchmarks/results/engines.json. Engines run one after another in this one process tree, each alone on the CPU."""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, importlib.util, json, platform, sys, time
from datetime import datetime, timezone
from pathlib import Path
from fireact.agent import Agent, AgentConfig
from fireact.runs import summarize
from fireact.llm import HFLM, OpenAILM, default_model_dir, free_port, serving, smollm2_gguf
from fireact.tasks import get_task
from fireact.tools import make_search

BIN = Path(sys.executable).parent

def measure(lm, questions, batch_size:int)->tuple[dict,list]:
    agent = Agent(lm, make_search('replay'), AgentConfig(batch_size=batch_size))
    t0 = time.perf_counter(); trajs = agent.run(questions, progress=False); wall = time.perf_counter() - t0
    s = summarize(trajs, questions)
    tokens = sum(t.prompt_tokens + t.completion_tokens for t in trajs)
    return {'wall_s': round(wall, 1), 'trajectories_per_min': round(60 * len(trajs) / wall, 2),
            'tokens_per_s': round(tokens / wall, 1), 'generated_tokens_per_s': round(sum(t.completion_tokens for t in trajs) / wall, 1),
            'em': s['em'], 'turns_mean': s['rounds_mean'], 'prompt_tokens_per_trial': s['prompt_tokens']}, trajs

def served(command:list[str], port:int, model:str, questions, concurrency:int, env=None):
    with serving(command, f'http://127.0.0.1:{port}/v1', timeout=300, env=env) as url:
        lm = OpenAILM(model, base_url=url, api='completions', concurrency=concurrency)
        lm.generate(['Warm up.'], max_tokens=2)  # the server loads its model on the first request
        return measure(lm, questions, batch_size=32)

def main(n:int=32, extrapolate:int=200, skip:tuple=()):
    questions = get_task('hotpotqa', 'dev').sample(n)
    folder, rows, trajs = default_model_dir(), {}, {}
    engines = {
        '(a) HFLM in process, batched, key/value reuse (default)': lambda: measure(HFLM(), questions, 32),
        '(b) transformers serve, /v1/completions': lambda: served(
            [str(BIN/'transformers'), 'serve', str(folder), '--host', '127.0.0.1', '--port', str(port := free_port()),
             '--device', 'cpu', '--dtype', 'float32'], port, str(folder), questions, 8, {'HF_HUB_OFFLINE': '1'}),
        '(c) llama.cpp server (llama-cpp-python), /v1/completions, Q4_1 GGUF': lambda: served(
            [sys.executable, '-m', 'llama_cpp.server', '--model', str(smollm2_gguf()), '--model_alias', 'smollm2',
             '--host', '127.0.0.1', '--port', str(port := free_port()), '--n_ctx', '8192', '--n_threads', str(os.cpu_count()),
             '--verbose', 'False'], port, 'smollm2', questions, 1),
        "(d) the release's loop shape: one question at a time, no reuse": lambda: measure(HFLM(prefix_budget=0), questions, 1),
    }
    for label, run in engines.items():
        if label[:3] in skip: rows[label] = {'skipped': 'asked'}; continue
        if label.startswith('(c)') and not importlib.util.find_spec('llama_cpp'): rows[label] = {'skipped': 'llama-cpp-python not installed'}; continue
        print(f'{label} ...', flush=True)
        rows[label], trajs[label] = run()
    ref = next(iter(trajs.values()))
    key = lambda t: [(r.thought, r.action, r.observation) for r in t.rounds]
    for label, ts in trajs.items():
        rows[label]['same_answer'] = sum(a.answer == b.answer for a, b in zip(ts, ref))
        rows[label]['same_trajectory'] = sum(key(a) == key(b) for a, b in zip(ts, ref))
        rows[label][f'minutes_for_{extrapolate}_extrapolated'] = round(extrapolate / rows[label]['trajectories_per_min'], 1)
    base = rows[list(engines)[0]]
    for r in rows.values():
        if 'trajectories_per_min' in r and 'trajectories_per_min' in base:
            r['default_path_speedup'] = round(base['trajectories_per_min'] / r['trajectories_per_min'], 2)
    print(f"\n{'engine':<68} {'traj/min':>8} {'tok/s':>7} {'gen tok/s':>9} {'same ans':>8} {'same traj':>9} {f'min/{extrapolate}q':>8} {'(a) is x':>8}")
    for label, r in rows.items():
        if 'skipped' in r: print(f'{label:<68} skipped: {r["skipped"]}'); continue
        print(f"{label:<68} {r['trajectories_per_min']:>8} {r['tokens_per_s']:>7} {r['generated_tokens_per_s']:>9} "
              f"{r['same_answer']:>5}/{n:<2} {r['same_trajectory']:>6}/{n:<2} {r[f'minutes_for_{extrapolate}_extrapolated']:>8} {r['default_path_speedup']:>8}")
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_end': os.getloadavg(), 'n_questions': n, 'extrapolated_to': extrapolate,
           'workload': 'HotpotQA dev, seed-233 sample, few-shot ReAct (own prompts), replay search, greedy, max 128 tokens a call',
           'model': 'SmolLM2-135M-Instruct (fp32 safetensors from the Q4_1 GGUF; llama.cpp runs the GGUF itself)', 'engines': rows}
    path = Path(__file__).parent/'results'/'engines.json'
    path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=32); ap.add_argument('--extrapolate', type=int, default=200)
    ap.add_argument('--skip', nargs='*', default=[], help='engines to skip, e.g. (c)')
    a = ap.parse_args(); main(a.n, a.extrapolate, tuple(a.skip))

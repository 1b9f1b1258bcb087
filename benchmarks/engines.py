"""The same agent workload through each engine this project can drive: HotpotQA dev questions (the first `--n` of
the seed-233 sample), the embedded SmolLM2-135M-Instruct, replay search, greedy decoding, max 128 tokens a call.

Few-shot ReAct:
  (a)  `HFLM` in process: the default path (a rolling batch, shared-prefix and earlier-round key/value reuse)
  (a0) the same, at an earlier commit (`--baseline`, run from a git worktree in a subprocess): the default before
       rolling batches, where each round's calls waited for the longest of them
  (b)  `transformers serve` through `/v1/completions` (`openai-text:`), the same safetensors weights
  (c)  llama.cpp's OpenAI-compatible server (llama-cpp-python) on the GGUF file those weights come from, when installed
       (`pip install 'llama-cpp-python[server]'`, built from source in about 8 minutes on 2 cores)
  (d)  the release's loop shape: one question at a time, the whole prompt recomputed every round (`HFLM`, no reuse)
  (e)  vLLM's CPU server (`make vllm`) through `/v1/completions`, prefix caching on, the same safetensors weights
The fine-tuned agent (Table 2/3's LoRA adapter, zero-shot Alpaca format, no examples):
  (f)  `HFLM` in process with the adapter merged (the reference of (g))
  (g)  vLLM's CPU server with the adapter served under its folder's name (`--lora-modules`)

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/engines.py [--n 32] [--only a a0 e] [--baseline COMMIT] [--out FILE]

Prints a table (trajectories a minute, tokens a second, answers and trajectories identical to the row's reference:
(a) for few-shot rows, (f) for the fine-tuned ones) and writes benchmarks/results/engines.json (or --out). Engines
run one after another, each alone on the CPU and each in a process of its own: an in-process engine under OpenMP's
default wait policy, as a user runs it; a server's client with OMP_WAIT_POLICY=PASSIVE, so that its idle threads do
not spin on the cores the server computes on. A server's start-up is not timed."""
import os
import argparse, importlib.util, json, platform, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FEWSHOT, TUNED = 'SmolLM2-135M-Instruct', 'smollm2-hotpotqa-lora-mask-turn'

def measure(lm, questions, batch_size:int=32, fmt='fewshot')->dict:
    "Run the agent over the questions; its speed and, for comparing with a reference, each trajectory's answer and steps."
    from fireact.agent import Agent
    from fireact.config import RunConfig
    from fireact.runs import summarize
    from fireact.tools import make_search
    agent = Agent(lm, make_search('replay'), RunConfig(batch_size=batch_size, fmt=fmt))
    t0 = time.perf_counter(); trajs = agent.run(questions, progress=False); wall = time.perf_counter() - t0
    s = summarize(trajs, questions)
    tokens = sum(t.prompt_tokens + t.completion_tokens for t in trajs)
    return {'wall_s': round(wall, 1), 'trajectories_per_min': round(60 * len(trajs) / wall, 2),
            'tokens_per_s': round(tokens / wall, 1), 'generated_tokens_per_s': round(sum(t.completion_tokens for t in trajs) / wall, 1),
            'em': s['em'], 'turns_mean': s['rounds_mean'], 'prompt_tokens_per_trial': s['prompt_tokens'],
            'trajectories': [[t.answer, [[r.thought, r.action, r.observation] for r in t.rounds]] for t in trajs]}

def served(command:list[str], port:int, model:str, questions, concurrency:int, env=None):
    from fireact.api import OpenAILM
    from fireact.serving import serving
    with serving(command, f'http://127.0.0.1:{port}/v1', timeout=300, env=env) as url:
        lm = OpenAILM(model, base_url=url, api='completions', concurrency=concurrency)
        lm.generate(['Warm up.'], max_tokens=2)  # the server loads its model on the first request
        return measure(lm, questions)

def vllm(questions, model:str, fmt:str, concurrency:int=32):
    from fireact.experiments import TURN_LORA
    from fireact.api import OpenAILM
    from fireact.serving import vllm_serving
    with vllm_serving('default', adapters=[ROOT/TURN_LORA.adapter]) as url:
        lm = OpenAILM(model, base_url=url, api='completions', concurrency=concurrency)
        lm.generate(['Warm up.'], max_tokens=2)
        return measure(lm, questions, fmt=fmt)

SERVED = ('b', 'c', 'e', 'g')

def in_subprocess(tag:str, n:int, baseline:str, tree:Path|None=None)->dict:
    "One row, measured by this file in a process of its own (with the package at `tree` first on its path, if given)."
    out = Path(tempfile.mkstemp(suffix='.json')[1])
    env = {**os.environ, **({'OMP_WAIT_POLICY': 'PASSIVE'} if tag in SERVED else {}), **({'PYTHONPATH': str(tree)} if tree else {})}
    subprocess.run([sys.executable, __file__, '--worker', tag, '--n', str(n), '--baseline', baseline, '--out', str(out)],
                   check=True, env=env, cwd=tree or ROOT)
    return json.loads(out.read_text())

def at_commit(commit:str, n:int)->dict:
    "Row (a) measured by the package as it was at `commit`: a git worktree of it, first on the path of the row's process."
    tree = Path(tempfile.mkdtemp())/'tree'
    subprocess.run(['git', 'worktree', 'add', '--detach', str(tree), commit], cwd=ROOT, check=True, capture_output=True)
    try: return {**in_subprocess('a', n, commit, tree), 'commit': subprocess.run(['git', 'rev-parse', '--short', commit], cwd=ROOT,
                                                                               capture_output=True, text=True).stdout.strip()}
    finally: subprocess.run(['git', 'worktree', 'remove', '--force', str(tree)], cwd=ROOT, capture_output=True)

def engines(questions, n:int, baseline:str):
    from fireact.experiments import TURN_LORA
    from fireact.llm import HFLM
    from fireact.models import default_model_dir, smollm2_gguf
    from fireact.serving import free_port
    folder = default_model_dir()
    return {
        '(a) HFLM in process, rolling batch, key/value reuse (default)': lambda: measure(HFLM(), questions),
        f'(a0) HFLM in process, the default at {baseline} (round by round)': lambda: at_commit(baseline, n),
        '(b) transformers serve, /v1/completions': lambda: served(
            [str(BIN/'transformers'), 'serve', str(folder), '--host', '127.0.0.1', '--port', str(port := free_port()),
             '--device', 'cpu', '--dtype', 'float32'], port, str(folder), questions, 8, {'HF_HUB_OFFLINE': '1'}),
        '(c) llama.cpp server (llama-cpp-python), /v1/completions, Q4_1 GGUF': lambda: served(
            [sys.executable, '-m', 'llama_cpp.server', '--model', str(smollm2_gguf()), '--model_alias', 'smollm2',
             '--host', '127.0.0.1', '--port', str(port := free_port()), '--n_ctx', '8192', '--n_threads', str(os.cpu_count()),
             '--verbose', 'False'], port, 'smollm2', questions, 1),
        "(d) the release's loop shape: one question at a time, no reuse": lambda: measure(HFLM(prefix_budget=0), questions, 1),
        '(e) vLLM CPU server, /v1/completions, prefix caching': lambda: vllm(questions, FEWSHOT, 'fewshot'),
        '(f) fine-tuned agent: HFLM in process, adapter merged': lambda: measure(HFLM(lora=ROOT/TURN_LORA.adapter), questions, fmt='alpaca'),
        '(g) fine-tuned agent: vLLM CPU server, adapter served by name': lambda: vllm(questions, TUNED, 'alpaca'),
    }

def tag(label:str)->str: return label[1:label.index(')')]

def main(n:int=32, only:tuple=(), baseline:str='95f9cbf', out_path:Path=ROOT/'benchmarks'/'results'/'engines.json'):
    from fireact.serving import VLLM_PYTHON
    from fireact.tasks import get_task
    questions, rows = get_task('hotpotqa', 'dev').sample(n), {}
    for label, run in engines(questions, n, baseline).items():
        if only and tag(label) not in only: rows[label] = {'skipped': 'not asked (--only)'}; continue
        if tag(label) == 'c' and not importlib.util.find_spec('llama_cpp'): rows[label] = {'skipped': 'llama-cpp-python not installed'}; continue
        if tag(label) in ('e', 'g') and not (ROOT/VLLM_PYTHON).exists(): rows[label] = {'skipped': 'no vLLM environment: make vllm'}; continue
        print(f'{label} ...', flush=True)
        rows[label] = at_commit(baseline, n) if tag(label) == 'a0' else in_subprocess(tag(label), n, baseline)
    reference = lambda label: 'f' if tag(label) in ('f', 'g') else 'a'
    ran = {tag(k): v for k, v in rows.items() if 'wall_s' in v}
    for label, r in rows.items():
        ref = ran.get(reference(label))
        if 'wall_s' not in r or not ref: continue
        r['reference'] = reference(label)
        r['same_answer'] = sum(a[0] == b[0] for a, b in zip(r['trajectories'], ref['trajectories']))
        r['same_trajectory'] = sum(a == b for a, b in zip(r['trajectories'], ref['trajectories']))
        r['reference_is_x_faster'] = round(ref['trajectories_per_min'] / r['trajectories_per_min'], 2)
    print(f"\n{'engine':<70} {'traj/min':>8} {'tok/s':>7} {'gen tok/s':>9} {'same ans':>8} {'same traj':>9} {'ref is x':>8}")
    for label, r in rows.items():
        if 'skipped' in r: print(f'{label:<70} skipped: {r["skipped"]}'); continue
        print(f"{label:<70} {r['trajectories_per_min']:>8} {r['tokens_per_s']:>7} {r['generated_tokens_per_s']:>9} "
              f"{r['same_answer']:>5}/{n:<3} {r['same_trajectory']:>5}/{n:<3} {r['reference_is_x_faster']:>8}")
    for r in rows.values(): r.pop('trajectories', None)
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_end': os.getloadavg(), 'n_questions': n, 'command': ' '.join(['benchmarks/engines.py', *sys.argv[1:]]),
           'workload': 'HotpotQA dev, seed-233 sample, few-shot ReAct (own prompts) for (a)-(e), the zero-shot fine-tuned agent '
                       '(Alpaca format, Table 2/3 LoRA adapter) for (f)-(g); replay search, greedy, max 128 tokens a call, 32 trajectories '
                       "in flight; same_answer, same_trajectory and reference_is_x_faster are against each row's reference",
           'model': 'SmolLM2-135M-Instruct (fp32 safetensors from the Q4_1 GGUF; llama.cpp runs the GGUF itself)', 'engines': rows}
    Path(out_path).write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=32)
    ap.add_argument('--only', nargs='*', default=[], help='the engines to run, by letter: a a0 b c d e f g (default all)')
    ap.add_argument('--baseline', default='95f9cbf', help='the commit whose default engine row (a0) measures')
    ap.add_argument('--out', default=ROOT/'benchmarks'/'results'/'engines.json', help='the results file')
    ap.add_argument('--worker', help=argparse.SUPPRESS)  # one row, by its letter, into --out: what in_subprocess runs
    a = ap.parse_args()
    if a.worker:
        from fireact.tasks import get_task
        questions = get_task('hotpotqa', 'dev').sample(a.n)
        row = next(run for label, run in engines(questions, a.n, a.baseline).items() if tag(label) == a.worker)
        Path(a.out).write_text(json.dumps(row()))
    else: main(a.n, tuple(a.only), a.baseline, a.out)

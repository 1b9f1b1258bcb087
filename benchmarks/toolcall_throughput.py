"""Issue 45's speed: the agent in ReAct text against native tool calls (`toolcalls`), prompted and fine-tuned, on the same
model and questions in one process, one after another, with the in-process engine's prompt reuse on (its default).

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/toolcall_throughput.py [--n 32]

Rows: few-shot ReAct and the tool-call prompt on SmolLM2-135M-Instruct; Table 2's ReAct LoRA
(`fireact.experiments.TURN_LORA`) and the tool-call LoRA trained on the same records (`TOOLCALLS_LORA`), zero-shot.
Prints a table and writes benchmarks/results/toolcall_throughput.json with the weights' digests; ratios are tool calls
over text, measured side by side in this one run."""
import argparse, json, os, platform
from datetime import datetime, timezone
from pathlib import Path
from agent_throughput import timed
from fireact.experiments import TOOLCALLS_LORA, TURN_LORA
from fireact.serving import get_lm
from fireact.tasks import get_task

def main(n=32):
    load_at_start = os.getloadavg()  # what else the machine ran, before and after
    questions = get_task('hotpotqa', 'dev').sample(n)
    lms = {'prompted': get_lm('default'), 'text LoRA': get_lm('default', lora=TURN_LORA.adapter),
           'tool-call LoRA': get_lm('default', lora=TOOLCALLS_LORA.adapter)}
    budget = lms['prompted'].prefixes.max_bytes
    rows = {'prompted, few-shot ReAct': timed(lms['prompted'], questions, budget, 'fewshot'),
            'prompted, tool calls': timed(lms['prompted'], questions, budget, 'toolcalls'),
            'fine-tuned, ReAct text (alpaca)': timed(lms['text LoRA'], questions, budget, 'alpaca'),
            'fine-tuned, tool calls': timed(lms['tool-call LoRA'], questions, budget, 'toolcalls')}
    pairs = {'prompted': ('prompted, few-shot ReAct', 'prompted, tool calls'),
             'fine-tuned': ('fine-tuned, ReAct text (alpaca)', 'fine-tuned, tool calls')}
    ratios = {f'{k}_{m}': round(rows[b][m] / rows[a][m], 2) for k, (a, b) in pairs.items()
              for m in ('trajectories_per_min', 'prompt_tokens_per_trial', 'completion_tokens_per_round')}
    print(f"{'run':<34} {'traj/min':>8} {'s/trial':>8} {'prompt tok/trial':>17} {'compl tok/round':>16} {'rounds':>7}"
          f" {'invalid %':>9} {'EM':>5}")
    for k, r in rows.items():
        print(f"{k:<34} {r['trajectories_per_min']:>8} {r['seconds_per_trial']:>8.2f} {r['prompt_tokens_per_trial']:>17.0f}"
              f" {r['completion_tokens_per_round']:>16} {r['rounds_mean']:>7.2f} {r['invalid_share']:>9} {r['em']:>5.1f}")
    print('tool calls / text:', ratios)
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_start': load_at_start, 'load_average_at_end': os.getloadavg(), 'n_questions': n,
           'adapters': {'text': TURN_LORA.adapter, 'tool calls': TOOLCALLS_LORA.adapter},
           'weights': {k: lm.weights for k, lm in lms.items()}, 'runs': rows, 'tool_calls_over_text': ratios}
    path = Path(__file__).parent/'results'/'toolcall_throughput.json'
    path.parent.mkdir(exist_ok=True); path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=32)
    main(ap.parse_args().n)

"""Table 3's time per trial on a local model: few-shot ReAct against the zero-shot fine-tuned agent, on the same model and
questions in one process, with prompt reuse on (the in-process engine's default: the few-shot prefix and each trajectory's
earlier rounds come from the key/value cache) and off (every prompt token computed again, as an API that reads and bills
every prompt token does). Also the batched runner against one question at a time (the release's loop), with --one-at-a-time.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/agent_throughput.py [--n 64] [--lora PATH] [--one-at-a-time]

Prints a table and writes benchmarks/results/agent_throughput.json (with the digests of the weights each agent ran). The
default adapter is Table 2/3's (`fireact.experiments.TURN_LORA`). Each row starts from an empty cache."""
import argparse, json, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
from fireact.agent import Agent
from fireact.config import RunConfig
from fireact.experiments import TURN_LORA
from fireact.paper import PAPER
from fireact.runs import summarize
from fireact.serving import get_lm
from fireact.tasks import get_task
from fireact.tools import make_search

def timed(lm, questions, budget:int, fmt='fewshot', batch_size=None):  # budget: bytes of cached prefixes, 0 for no reuse
    lm.prefixes.max_bytes = budget; lm.prefixes.clear(); lm.stats.update(prefill_tokens=0, reused_tokens=0)
    agent = Agent(lm, make_search('replay'), RunConfig(fmt=fmt, batch_size=batch_size or len(questions)))
    t0 = time.perf_counter(); trajs = agent.run(questions, progress=False); wall = time.perf_counter() - t0
    s, rounds = summarize(trajs, questions), [r for t in trajs for r in t.rounds]
    return {'wall_s': round(wall, 1), 'trajectories_per_min': round(60*len(trajs)/wall, 2), 'em': s['em'],
            'rounds_mean': s['rounds_mean'], 'prompt_tokens_per_trial': s['prompt_tokens'],
            'completion_tokens_per_trial': s['completion_tokens'],
            'completion_tokens_per_round': round(s['completion_tokens']/s['rounds_mean'], 1), 'seconds_per_trial': s['seconds'],
            'prefill_tokens_per_trial': round(lm.stats['prefill_tokens']/len(trajs), 1),
            'reused_tokens_per_trial': round(lm.stats['reused_tokens']/len(trajs), 1),
            'invalid_share': round(100*sum(r.observation.startswith('Invalid action') for r in rounds)/max(1, len(rounds)), 1)}

def main(n=64, lora=TURN_LORA.adapter, one_at_a_time=False):
    load_at_start = os.getloadavg()  # what else the machine ran, before and after
    questions = get_task('hotpotqa', 'dev').sample(n)
    base, tuned = get_lm('default'), get_lm('default', lora=lora)
    rows = {}
    default = base.prefixes.max_bytes  # the engine's own budget: reuse on
    for reuse, budget in (('on', default), ('off', 0)):
        rows[f'few-shot ReAct, reuse {reuse}'] = timed(base, questions, budget)
        rows[f'fine-tuned, zero-shot, reuse {reuse}'] = timed(tuned, questions, budget, 'alpaca')
    if one_at_a_time: rows['few-shot ReAct, reuse on, one at a time'] = timed(base, questions, default, batch_size=1)
    ratio = lambda k, setting: rows[f'fine-tuned, zero-shot, reuse {setting}'][k] / rows[f'few-shot ReAct, reuse {setting}'][k]
    ratios = {'completion_tokens_per_round': round(ratio('completion_tokens_per_round', 'on'), 2),
              'seconds_per_trial_reuse_on': round(ratio('seconds_per_trial', 'on'), 2),
              'seconds_per_trial_reuse_off': round(ratio('seconds_per_trial', 'off'), 2),
              'prefill_tokens_per_trial_reuse_on': round(ratio('prefill_tokens_per_trial', 'on'), 2),
              'prefill_tokens_per_trial_reuse_off': round(ratio('prefill_tokens_per_trial', 'off'), 2)}
    if one_at_a_time: ratios['batched_speedup'] = round(rows['few-shot ReAct, reuse on']['trajectories_per_min']
                                                        / rows['few-shot ReAct, reuse on, one at a time']['trajectories_per_min'], 2)
    paper = PAPER['Table 3']
    print(f"{'run':<42} {'s/trial':>8} {'compl tok/round':>16} {'prefill tok/trial':>18} {'reused tok/trial':>17} {'rounds':>7} {'EM':>5}")
    for k, r in rows.items():
        print(f"{k:<42} {r['seconds_per_trial']:>8.2f} {r['completion_tokens_per_round']:>16} {r['prefill_tokens_per_trial']:>18}"
              f" {r['reused_tokens_per_trial']:>17} {r['rounds_mean']:>7.2f} {r['em']:>5}")
    print('fine-tuned / few-shot:', ratios, f"(paper, Table 3, GPT-3.5: {paper['FireAct']['time_s']} / {paper['ReAct']['time_s']} s)")
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'machine': f'{platform.machine()}, {os.cpu_count()} cores',
           'load_average_at_start': load_at_start, 'load_average_at_end': os.getloadavg(), 'n_questions': n, 'lora': lora, 'weights': {'few-shot': base.weights, 'zero-shot': tuned.weights},
           'runs': rows, 'fine_tuned_over_few_shot': ratios,
           'paper_table3_time_s': {'ReAct': paper['ReAct']['time_s'], 'FireAct': paper['FireAct']['time_s']}}
    path = Path(__file__).parent/'results'/'agent_throughput.json'
    path.parent.mkdir(exist_ok=True); path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=64); ap.add_argument('--lora', default=TURN_LORA.adapter)
    ap.add_argument('--one-at-a-time', action='store_true')
    a = ap.parse_args(); main(a.n, a.lora, a.one_at_a_time)

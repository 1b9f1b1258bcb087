"""Issue 46's speed: one GRPO step's episodes through the project's engine (`grpo.rollouts`: one rolling batch, each
round's prefix from the cache) against transformers' `generate` on the live episodes each round, as TRL generates
without vLLM (a padded batch, stop strings), on the same policy (the SFT adapter, unmerged, as the trainer holds it),
questions, group, seeds' count and token limits, one after the other in one process.

    FIREACT_MIRROR=../shared/fireact-release .venv/bin/python benchmarks/grpo_rollouts.py [--questions 2] [--group 4]

Writes benchmarks/results/grpo_rollouts.json: trajectories a minute and model tokens a second for each, their ratio."""
import argparse, json, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM
from fireact.core import Round, finish_observation, parse_action, project_root
from fireact.formats import get_format, parse_step
from fireact.grpo import GRPO_STOP, SFT_SAMPLES, SFT_START, Episode, learnable_questions, rollouts, tool_turn
from fireact.llm import HFLM
from fireact.models import model_path
from fireact.tools import make_search


def generate_rollouts(model, tok, questions, search, max_rounds, max_tokens, temperature):
    "The same episodes with `model.generate` on every live episode each round (left-padded ids, stop strings)."
    fmt = get_format('alpaca')
    eps = [Episode(q, tok(fmt.step_prompt(q.question, [])).input_ids) for q in questions]
    live, eos = list(range(len(eps))), {tok.eos_token_id, *([model.generation_config.eos_token_id] if isinstance(
        model.generation_config.eos_token_id, int) else model.generation_config.eos_token_id or [])}
    while live:
        seqs = [eps[i].prompt_ids + eps[i].completion_ids for i in live]
        width = max(map(len, seqs))
        ids = torch.tensor([[tok.pad_token_id] * (width - len(s)) + s for s in seqs])
        mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in seqs])
        with torch.inference_mode():
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_tokens, do_sample=True,
                                 temperature=temperature, top_k=0, top_p=1.0, stop_strings=GRPO_STOP, tokenizer=tok,
                                 pad_token_id=tok.pad_token_id)
        nxt = []
        for i, row in zip(live, out[:, width:].tolist()):
            e = eps[i]
            end = next((j for j, t in enumerate(row) if t in eos or t == tok.pad_token_id), len(row))
            # a row that met its stop string is padded after it (the pad may be the end-of-sequence token)
            stopped = GRPO_STOP[0] in tok.decode(row[:end], skip_special_tokens=True)
            gen = row[:end] if stopped or end == len(row) else row[:end + 1]
            e.add(gen, True)
            raw = tok.decode(gen, skip_special_tokens=True)
            thought, action = parse_step(raw)
            r = Round(thought, action or ''); e.rounds.append(r)
            bad = fmt.invalid(action)
            verb, arg = (None, None) if bad else parse_action(action)
            if verb == 'finish':
                e.answer, e.finished, r.observation = arg, True, finish_observation(e.question.score(arg).em); continue
            r.observation = bad or str(search.search(arg, e.question.id).observation)
            if (gen and gen[-1] in eos) or len(e.rounds) >= max_rounds: continue
            e.add(tok(tool_turn(raw, r.observation), add_special_tokens=False).input_ids, False); nxt.append(i)
        live = nxt
    return eps

def main(questions=2, group=4, max_rounds=6, max_tokens=128, temperature=0.7):
    load_at_start = os.getloadavg()
    qs = learnable_questions(SFT_SAMPLES)[0][:questions]
    entries = [q for q in qs for _ in range(group)]
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(model_path('default')),
                                      str(project_root()/SFT_START)).eval()
    lm, tool = HFLM('default', model=model), make_search('bm25', training=True)
    rows = {}
    for name in ('project engine (rolling batch, prefix cache)', 'transformers generate (as TRL without vLLM)'):
        torch.manual_seed(0); t0 = time.perf_counter()
        eps = (rollouts(lm, entries, tool, list(range(len(entries))), max_rounds, max_tokens, temperature)
               if name.startswith('project') else
               generate_rollouts(model, lm.tokenizer, entries, tool, max_rounds, max_tokens, temperature))
        wall = time.perf_counter() - t0
        sampled = sum(sum(e.env_mask) for e in eps)
        rows[name] = {'wall_s': round(wall, 1), 'trajectories_per_min': round(60 * len(eps) / wall, 2),
                      'model_tokens_per_s': round(sampled / wall, 1), 'model_tokens': sampled,
                      'rounds_mean': round(sum(len(e.rounds) for e in eps) / len(eps), 2),
                      'finished': sum(e.finished for e in eps)}
        print(name, rows[name])
    a, b = rows.values()
    out = {'date': datetime.now(timezone.utc).isoformat(timespec='seconds'),
           'machine': f'{platform.machine()}, {os.cpu_count()} cores', 'load_average_at_start': load_at_start,
           'load_average_at_end': os.getloadavg(), 'adapter': SFT_START,
           'settings': {'questions': questions, 'group': group, 'max_rounds': max_rounds, 'max_tokens': max_tokens,
                        'temperature': temperature, 'tool': tool.name},
           'runs': rows, 'engine_over_generate': {k: round(a[k] / b[k], 2)
                                                  for k in ('trajectories_per_min', 'model_tokens_per_s')}}
    print(out['engine_over_generate'])
    path = Path(__file__).parent/'results'/'grpo_rollouts.json'
    path.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    for k, v in dict(questions=2, group=4, max_rounds=6, max_tokens=128).items(): ap.add_argument(f'--{k}', type=int, default=v)
    main(**vars(ap.parse_args()))

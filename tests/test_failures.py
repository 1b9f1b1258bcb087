"Preference pairs through TRL's own DPO tokenization: the completion it trains is the agent's turn, never an observation."
import math
from pathlib import Path
import pytest
from fireact.core import Round, Trajectory
from fireact.config import RunConfig
from fireact.failures import preference_pair, preference_pairs, samples_by_question

ROOT = Path(__file__).resolve().parents[1]

def hand_made():
    obs = 'Jaws is a 1975 American thriller film directed by Steven Spielberg.'
    shared = [Round('I should search Jaws.', 'search[Jaws]', obs)]
    good = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=True, finished=True,
                      rounds=shared + [Round('It was Spielberg.', 'finish[Steven Spielberg]', 'Episode finished, reward = True')])
    bad = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=False, finished=True,
                     rounds=shared + [Round('Search the studio.', 'search[Universal]', 'Universal Pictures is a studio.')])
    return preference_pair(good, bad), obs

def test_dpo_completion_mask_holds_no_observation(tmp_path):
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer
    from fireact.models import load_tokenizer
    from fireact.train import save_tiny_llama, load_model
    pair, obs = hand_made()
    sft = 'runs/finetune/smollm2-hotpotqa-lora-mask-turn'  # the SFT agent's own samples
    samples = samples_by_question([ROOT/RunConfig(split='train', n=200, fmt='alpaca', lora=sft, temperature=0.7, sample_seed=s).path
                                   for s in range(4)])
    pairs = [pair] + preference_pairs(samples)[0][:3]  # and the committed samples' own pairs, where they have any
    observations = [obs] + [r.observation for ts in samples.values() for t in ts for r in t.rounds if len(r.observation) > 20][:200]
    tok = load_tokenizer()
    save_tiny_llama(tmp_path/'tiny', tok, hidden=32)
    args = DPOConfig(output_dir=str(tmp_path/'dpo'), max_steps=1, per_device_train_batch_size=2, use_cpu=True, report_to=[],
                     max_length=1024, logging_steps=1, save_strategy='no')
    trainer = DPOTrainer(model=load_model(tmp_path/'tiny', 'full'), args=args, processing_class=tok,
                         train_dataset=Dataset.from_list([{k: p[k] for k in ('prompt', 'chosen', 'rejected')} for p in pairs]))
    for p, ex in zip(pairs, trainer.train_dataset):
        prompt = tok.decode(ex['prompt_ids'])
        for side in ('chosen', 'rejected'):
            completion = tok.decode(ex[f'{side}_ids'])
            assert completion == p[side] + tok.eos_token, (completion, p[side])
            assert 'Observation' not in completion and not any(o in completion for o in observations)
        assert prompt.endswith('Thought:') and (p is not pair or obs in prompt)  # the observations stay in the prompt
    trainer.train()
    assert trainer.state.global_step == 1 and math.isfinite(trainer.state.log_history[0]['loss'])

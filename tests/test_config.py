"A committed run resumes from the record its manifest holds: `RunConfig.from_manifest` names the run's own file, and running it again asks nothing and appends nothing."
import json, shutil
from pathlib import Path
import pytest
from fireact.agent import run_agent
from fireact.config import RunConfig

ROOT = Path(__file__).resolve().parents[1]
RUNS = ['runs/mmlu/test_react_fewshot_default_replay_off.jsonl',                                # Table 5's prompted agent
        'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off.jsonl',  # Table 2's fine-tuned agent
        'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_none@0.5.jsonl',  # Table 3's noisy tool
        'runs/bamboogle/test_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off.jsonl',
        'runs/strategyqa/dev_io_fewshot_default_replay_off.jsonl']                                   # a method without a tool
SAMPLE = 'runs/hotpotqa/train_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off_t0.7_s2.jsonl'  # training questions

@pytest.mark.parametrize('run', RUNS)
def test_a_committed_run_resumes_from_its_manifest(tmp_path, run):
    manifest = json.loads((ROOT/f'{run}.manifest.json').read_text())
    questions = len({json.loads(line)['qid'] for line in open(ROOT/run)})
    config = RunConfig.from_manifest(manifest['run'], n=questions)
    assert str(config.path) == run
    out = tmp_path/Path(run).name
    shutil.copy(ROOT/run, out); shutil.copy(ROOT/f'{run}.manifest.json', f'{out}.manifest.json')
    summary = run_agent(config, out=str(out), progress=False)  # the same configuration and weights, every question already answered
    assert summary['found'] == config.n and out.read_bytes() == (ROOT/run).read_bytes()
    assert json.loads(Path(f'{out}.manifest.json').read_text()) == manifest

def test_another_configuration_does_not_resume_a_committed_run(tmp_path):
    run = RUNS[1]
    out = tmp_path/'run.jsonl'
    shutil.copy(ROOT/run, out); shutil.copy(ROOT/f'{run}.manifest.json', f'{out}.manifest.json')
    config = RunConfig.from_manifest(json.loads((ROOT/f'{run}.manifest.json').read_text())['run'], n=200, max_tokens=64)
    with pytest.raises(ValueError, match=r"another configuration \{'max_tokens': \(128, 64\)\}"): run_agent(config, out=str(out), progress=False)
    faster = RunConfig.from_manifest(json.loads((ROOT/f'{run}.manifest.json').read_text())['run'], n=200, batch_size=4)
    assert run_agent(faster, out=str(out), progress=False)['found'] == 200  # how fast a run goes is no part of what it answers

def test_a_sample_made_with_every_recording_is_refused_under_the_training_tool(tmp_path):
    """A committed sample on training questions was searched with the replay of every recording, evaluated questions'
    included; today a training split searches only training recordings (`replay-train`, the manifest's `search_tool`),
    so it does not resume as if nothing changed: the refusal names the tool."""
    manifest = json.loads((ROOT/f'{SAMPLE}.manifest.json').read_text())
    config = RunConfig.from_manifest(manifest['run'], n=200)
    assert str(config.path) == SAMPLE and manifest['run']['search'] == 'replay'
    out = tmp_path/Path(SAMPLE).name
    shutil.copy(ROOT/SAMPLE, out); shutil.copy(ROOT/f'{SAMPLE}.manifest.json', f'{out}.manifest.json')
    with pytest.raises(ValueError, match=r"another configuration \{'search_tool': \(None, 'replay-train'\)\}"):
        run_agent(config, out=str(out), progress=False)
    assert out.read_bytes() == (ROOT/SAMPLE).read_bytes()  # nothing appended

def test_a_run_whose_noise_came_from_another_pool_is_refused(tmp_path):
    """Random noise draws from a pool of recorded observations, and the manifest names the pool by its digest
    (`noise_pool`): a run made with another pool does not resume as if nothing changed."""
    run = 'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_random@0.5.jsonl'
    manifest = json.loads((ROOT/f'{run}.manifest.json').read_text())
    out = tmp_path/Path(run).name
    lines = (ROOT/run).read_text().splitlines(keepends=True)
    out.write_text(''.join(lines[:-1]))  # one question left to ask
    Path(f'{out}.manifest.json').write_text(json.dumps({**manifest, 'run': {**manifest['run'], 'noise_pool': 'another'}}))
    config = RunConfig.from_manifest(manifest['run'], n=200)
    with pytest.raises(ValueError, match=r"another configuration \{'noise_pool': \('another', '[0-9a-f]{16}'\)\}"):
        run_agent(config, out=str(out), progress=False)
    assert out.read_text() == ''.join(lines[:-1])  # nothing appended

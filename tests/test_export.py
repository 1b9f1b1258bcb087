"`fireact export` as a user runs it: a run and a fine-tuning file written with save_to_disk and loaded back unchanged."
import subprocess, sys
from pathlib import Path
from datasets import load_from_disk
from fireact.convert import read_sft
from fireact.export import dataset_records, dataset_trajectories
from fireact.runs import load_run

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def export(path, to, *extra):
    r = subprocess.run([str(BIN/'fireact'), 'export', str(path), '--to', str(to), *extra], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return load_from_disk(str(to))

def test_a_committed_run_round_trips(tmp_path):
    run = ROOT/'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_none@0.5.jsonl'
    ds = export(run, tmp_path/'run')
    assert ds.num_rows == 200 and 'rounds' in ds.column_names
    assert dataset_trajectories(ds) == load_run(run)
    assert 'noise_none' in {r['source'] for row in ds for r in row['rounds']}

def test_a_released_run_and_both_fine_tuning_files_round_trip(tmp_path):
    released = 'trajs/hotpotqa_dev_0_500_llama_models_lora_llama-2-7b-d_1000_0.7_2023-09-19-00-49-36.json'
    assert dataset_trajectories(export(released, tmp_path/'released')) == load_run(released)
    for name in ('data/finetune/gpt_format/multitask.jsonl', 'data/finetune/alpaca_format/multitask.json'):
        ds = export(name, tmp_path/Path(name).name)
        assert dataset_records(ds) == read_sft(name), name

def test_export_without_a_folder_says_so():
    r = subprocess.run([str(BIN/'fireact'), 'export', 'data/finetune/gpt_format/hotpotqa.jsonl'], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stderr.strip().endswith('say where to write the dataset: --to DIR')

def test_export_onto_an_existing_path_is_a_one_line_error(tmp_path):
    (tmp_path/'taken.jsonl').write_text('')
    r = subprocess.run([str(BIN/'fireact'), 'export', 'data/finetune/gpt_format/hotpotqa.jsonl', '--to', str(tmp_path/'taken.jsonl')], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stderr.strip().endswith('taken.jsonl exists: give --to a new folder, or remove it first') and 'Traceback' not in r.stderr

def test_what_the_model_wrote_round_trips(tmp_path):
    "A round's structured call and generated record (issues 43, 44) survive the dataset."
    from fireact.core import Round, Trajectory
    from fireact.export import trajectories_dataset
    t = Trajectory('hotpotqa', 'dev', '1', 'Q?', rounds=[Round('t', 'search[x]', 'o', call={'name': 'search', 'arguments': {'query': 'x'}, 'id': 'c0'},
                                                               generated=[{'kind': 'step', 'text': 'raw', 'ended': 'tool_calls', 'tokens': 3}]), Round('u', 'finish[y]')])
    assert dataset_trajectories(trajectories_dataset([t])) == [t]

"""The LoRA adapters committed under runs/finetune/ are the weights their cards name: small files, never full weights,
each with the digest its card records (runs made by an earlier training of the same adapter record their own digest,
and `fireact verify` refuses them)."""
import json, subprocess
from pathlib import Path
from fireact.models import weights_digest

ROOT = Path(__file__).parent.parent
LIMIT = 25 << 20  # bytes a committed file may have

def committed(pattern:str)->list[Path]:
    out = subprocess.run(['git', 'ls-files', pattern], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return [ROOT/p for p in out]

def test_no_committed_weight_file_is_large_or_a_full_model():
    weights = committed('runs/finetune/*/*.safetensors')
    assert all(p.name == 'adapter_model.safetensors' for p in weights), weights  # adapters only: full fine-tunes stay out
    assert all(p.stat().st_size < LIMIT for p in weights)

def test_each_committed_adapter_is_the_one_its_card_names():
    for config in committed('runs/finetune/*/adapter_config.json'):
        assert json.loads((config.parent/'card.json').read_text())['weights'] == weights_digest(config.parent), config.parent

def test_committed_runs_cards_and_tables_carry_no_machine_paths():
    "Manifests, cards, adapter configs and tables name files relative to the project: no home folder, no clone's location."
    files = committed('runs') + committed('nbs/analysis/tables') + committed('benchmarks/results')
    text_files = [p for p in files if p.suffix in ('.json', '.csv', '.md')]
    assert len(text_files) > 80
    leaks = [str(p.relative_to(ROOT)) for p in text_files if any(s in p.read_text() for s in ('/root/', '/home/', str(ROOT)))]
    assert leaks == []

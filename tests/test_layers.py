"The floors contract (`.importlinter`): kept by the package as it is, broken by one planted upward import."
import shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent/'lint-imports'

def lint(root:Path)->subprocess.CompletedProcess:
    return subprocess.run([str(LINT), '--config', str(root/'.importlinter'), '--no-cache'], cwd=root,
                          capture_output=True, text=True, env={'PYTHONPATH': str(root), 'PATH': '/usr/bin:/bin'})

def test_the_package_keeps_its_floors():
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'Contracts: 1 kept, 0 broken.' in r.stdout

def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT/'fireact', tmp_path/'fireact', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(ROOT/'.importlinter', tmp_path)
    core = tmp_path/'fireact'/'core.py'
    core.write_text(core.read_text() + '\n\ndef _planted():\n    from fireact.tables import as_table\n')
    r = lint(tmp_path)
    assert r.returncode == 1, r.stdout
    assert 'Contracts: 0 kept, 1 broken.' in r.stdout
    assert 'fireact.core is not allowed to import fireact.tables' in r.stdout

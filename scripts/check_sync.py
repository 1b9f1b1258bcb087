"Fail when the notebooks are not clean, the package is out of sync with them, or README.md does not match index.ipynb."
import subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
bin_ = Path(sys.executable).parent

def snapshot():
    files = [*root.glob('fireact/**/*.py'), *root.glob('nbs/**/*.ipynb'), root/'README.md']
    return {p: p.read_bytes() for p in files if p.exists() and '.ipynb_checkpoints' not in p.parts}

before = snapshot()
for cmd in ([bin_/'nbdev_export'], [bin_/'nbdev_clean'], [sys.executable, root/'scripts'/'make_readme.py']):
    subprocess.run(list(map(str, cmd)), cwd=root, check=True)
after = snapshot()
changed = sorted(str(p.relative_to(root)) for p in before.keys() | after.keys() if before.get(p) != after.get(p))
if changed:
    sys.exit('Out of sync (run `make export` and commit):\n  ' + '\n  '.join(changed))
print(f'check: {len(after)} files clean and in sync')

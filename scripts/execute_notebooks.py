"""Run every notebook as JupyterLab's "Run all" does: a fresh kernel each, every cell in order (nbdev's `#| slow`
cells included; cells that need a key or a GPU check for it and skip), in the notebook's own folder.

    python scripts/execute_notebooks.py [NOTEBOOK ...] [--workers 2] [--save]

Prints one line per notebook (seconds, or the failing cell and its error) and exits 1 if any failed. `--save`
writes each executed notebook back with its outputs, so a reader sees every table, trajectory and figure: progress
bars are left out, this machine's paths are written relative to the repository (`~` for the home folder), and a
notebook whose outputs hold anything shaped like a key is not saved (`scripts/secrets_scan.py`).
"""
import argparse, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'scripts'))
from secrets_scan import notebook_secrets

def _relative_paths(nb):
    "Outputs with this machine's paths made relative: the repository root, then the home folder."
    home = str(Path.home())
    for cell in nb.cells:
        for out in cell.get('outputs', []):
            for key in ('text',):
                if key in out: out[key] = out[key].replace(str(ROOT) + '/', '').replace(str(ROOT), '.').replace(home, '~')
            for mime, data in out.get('data', {}).items():
                if mime.startswith('text/') and isinstance(data, str):
                    out['data'][mime] = data.replace(str(ROOT) + '/', '').replace(str(ROOT), '.').replace(home, '~')
    return nb

def execute(path:str, save:bool=False, timeout:int=1800)->tuple[str, float, str|None]:
    "(notebook, seconds, None or the error) for one notebook run top to bottom in a fresh kernel."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    os.environ['TQDM_DISABLE'] = '1'  # the kernel inherits it: no progress widgets in saved outputs
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    try: NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(Path(path).parent)}}).execute()
    except CellExecutionError as e:
        lines = [l for l in str(e).splitlines() if l.strip()]
        return path, time.time() - start, next((l for l in reversed(lines) if 'Error' in l), lines[-1] if lines else 'failed')
    if save:
        nb = _relative_paths(nb)
        found = notebook_secrets(nb)
        if found: return path, time.time() - start, f'not saved: its outputs hold what looks like a key ({found[0]})'
        nb.metadata.pop('widgets', None)
        nbformat.write(nb, path)
    return path, time.time() - start, None

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*', help='default: every notebook under nbs/')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--save', action='store_true', help='write the executed notebooks back, with their outputs')
    a = p.parse_args(argv)
    paths = a.notebooks or sorted(str(n) for n in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in n.parts)
    failed = 0
    with ProcessPoolExecutor(a.workers) as ex:
        for path, seconds, error in ex.map(execute, paths, [a.save] * len(paths)):
            failed += error is not None
            print(f'{Path(path).relative_to(ROOT) if Path(path).is_absolute() else path}: {seconds:.0f} s' + (f'  FAILED: {error}' if error else ''), flush=True)
    if failed: sys.exit(f'{failed} of {len(paths)} notebooks failed')

if __name__ == '__main__': main()

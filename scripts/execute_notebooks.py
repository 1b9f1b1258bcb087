"""Run every notebook as JupyterLab's "Run all" does: a fresh kernel each, every cell in order (nbdev's `#| slow`
cells included; cells that need a key or a GPU check for it and skip), in the notebook's own folder.

    python scripts/execute_notebooks.py [NOTEBOOK ...] [--workers 2] [--save]

Prints one line per notebook (seconds, or the failing cell and its error) and exits 1 if any failed. `--save`
writes each executed notebook back with its outputs, so a reader sees every table, trajectory and figure: progress
bars are left out, this machine's paths are written relative to the repository (`../shared` for the shared folder
beside it, `~` for the home folder), and a
notebook whose outputs hold anything shaped like a key is not saved (`scripts/secrets_scan.py`).
"""
import argparse, os, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'scripts'))
from secrets_scan import notebook_secrets

def _relative(text:str)->str:
    "`text` with this machine's paths made relative: the shared folder, the repository root, then the home folder."
    shared = str(ROOT.parent/'shared')
    return text.replace(shared, '../shared').replace(str(ROOT) + '/', '').replace(str(ROOT), '.').replace(str(Path.home()), '~')

def _without_progress(out):
    "An output without its progress bars: none left of a widget, only the lines a carriage return never redrew of a stream (Jupyter joins a bar and a warning after it into one stream output)."
    if 'application/vnd.jupyter.widget-view+json' in out.get('data', {}): return None
    if out.get('name') != 'stderr' or '\r' not in out.get('text', ''): return out
    out['text'] = '\n'.join(l for l in out['text'].split('\n') if '\r' not in l)
    return out if out['text'].strip() else None

def _saveable(nb):
    "Outputs as a reader should see them: no progress bars, no widget state, this machine's paths made relative."
    for cell in nb.cells:
        if 'outputs' not in cell: continue
        cell['outputs'] = [o for o in map(_without_progress, cell['outputs']) if o is not None]
        for out in cell['outputs']:
            if 'text' in out: out['text'] = _relative(out['text'])
            for mime, data in out.get('data', {}).items():
                if mime.startswith('text/') and isinstance(data, str): out['data'][mime] = _relative(data)
    nb.metadata.pop('widgets', None)
    return nb

def execute(path:str, save:bool=False, timeout:int=1800)->tuple[str, float, str|None]:
    "(notebook, seconds, None or the error) for one notebook run top to bottom in a fresh kernel."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    with tempfile.TemporaryDirectory() as sockets:
        # the kernel talks over local sockets, not TCP: no "running over TCP without encryption" warning per notebook
        config = Config(); config.KernelManager.transport, config.KernelManager.ip = 'ipc', str(Path(sockets)/'kernel')
        try: NotebookClient(nb, timeout=timeout, kernel_name='python3', config=config,
                            resources={'metadata': {'path': str(Path(path).parent)}}).execute()
        except CellExecutionError as e:
            lines = [l for l in str(e).splitlines() if l.strip()]
            return path, time.time() - start, next((l for l in reversed(lines) if 'Error' in l), lines[-1] if lines else 'failed')
    if save:
        nb = _saveable(nb)
        found = notebook_secrets(nb)
        if found: return path, time.time() - start, f'not saved: its outputs hold what looks like a key ({found[0]})'
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

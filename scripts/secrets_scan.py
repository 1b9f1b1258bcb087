"""Fail when a notebook's saved outputs hold anything shaped like a key (an OpenAI `sk-...`, a `Bearer` token, a
Hugging Face `hf_...` token, a SerpAPI key in a URL) or the value of a key variable set in this environment, or a
path of this machine (the project's folder, the shared folder beside it, the home folder): saved outputs are read
on other machines, so they show paths relative to the project.

    python scripts/secrets_scan.py [NOTEBOOK ...]     (default: every notebook under nbs/)
"""
import json, os, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY_VARS = ('OPENAI_API_KEY', 'SERPAPI_API_KEY', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN')
PATTERNS = [re.compile(p) for p in (r'\bsk-(?!\*)[A-Za-z0-9_\-]{16,}', r'Bearer\s+(?!\*)[A-Za-z0-9_\-\.]{16,}', r'\bhf_[A-Za-z0-9]{30,}',
                                    r'api_key=(?!\*)[A-Za-z0-9]{32,}')]

def _output_text(nb)->str:
    parts = []
    for cell in nb['cells']:
        for out in cell.get('outputs', []):
            parts.append(''.join(out.get('text', '')) if isinstance(out.get('text'), list) else out.get('text', ''))
            for mime, data in out.get('data', {}).items():
                if not mime.startswith('image/'): parts.append(''.join(data) if isinstance(data, list) else json.dumps(data) if not isinstance(data, str) else data)
            parts += out.get('traceback', [])
    return '\n'.join(parts)

def notebook_secrets(nb)->list[str]:
    "What in a notebook's outputs looks like a key, each shown cut short."
    text = _output_text(nb)
    found = [m.group(0) for p in PATTERNS for m in p.finditer(text)]
    found += [f'${v}' for v in KEY_VARS if len(os.environ.get(v, '')) >= 8 and os.environ[v] in text]
    return [f[:12] + '...' for f in found]

def machine_paths()->list[str]:
    "Absolute folders of this machine that saved outputs should not name (a home folder holding the temp dir is left out)."
    home = Path.home()
    paths = [ROOT, ROOT.parent/'shared'] + ([home] if home != Path('/') and home not in Path(tempfile.gettempdir()).parents else [])
    return [str(p) + os.sep for p in paths]

def notebook_machine_paths(nb)->list[str]:
    "Which of `machine_paths` a notebook's outputs name."
    text = _output_text(nb)
    return [p for p in machine_paths() if p in text]

def main(argv=None):
    paths = [Path(p) for p in (argv or [])] or sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
    nbs = {str(p): json.loads(p.read_text()) for p in paths}
    bad = {p: s for p, nb in nbs.items() if (s := notebook_secrets(nb))}
    local = {p: s for p, nb in nbs.items() if (s := notebook_machine_paths(nb))}
    for p, s in bad.items(): print(f'{p}: {", ".join(s)}')
    for p, s in local.items(): print(f'{p}: names this machine\'s {", ".join(s)} (show a path relative to the project)')
    if bad or local: sys.exit(f'{len(bad)} notebook(s) hold what looks like a key, {len(local)} name a machine path, in their outputs')
    print(f'secrets scan: {len(paths)} notebooks, no key or machine path in their outputs')

if __name__ == '__main__': main(sys.argv[1:])

"Write README.md from nbs/index.ipynb (quarto, which nbdev_readme needs, cannot be installed here)."
import re, sys
from pathlib import Path
from nbconvert import MarkdownExporter
import nbformat

root = Path(__file__).resolve().parent.parent

def readme_text(nb_path=root/'nbs'/'index.ipynb')->str:
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if not re.search(r'^#\|\s*hide', c.source, re.M)]
    for c in nb.cells:
        if c.cell_type == 'code':
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip()
            c.outputs = []
    body, _ = MarkdownExporter().from_notebook_node(nb)
    return '<!-- generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file -->\n\n' + re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'

if __name__ == '__main__':
    (root/'README.md').write_text(readme_text())

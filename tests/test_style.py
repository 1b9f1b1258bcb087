"The house style's measurable parts, on the exported package: code lines and docstrings fit 120 characters."
import ast
from pathlib import Path
import pytest

MODULES = sorted(p for p in (Path(__file__).parents[1]/'fireact').glob('*.py') if p.name != '_modidx.py')

def exempt_lines(tree:ast.Module)->set[int]:
    "Lines nbdev writes (`__all__`) and lines inside multi-line strings (the module docstring, a chat template's text)."
    out = {1} if tree.body and isinstance(getattr(tree.body[0], 'value', None), ast.Constant) else set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.end_lineno > n.lineno:
            out |= set(range(n.lineno, n.end_lineno + 1))
        if isinstance(n, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in n.targets):
            out |= set(range(n.lineno, n.end_lineno + 1))
    return out

@pytest.mark.parametrize('path', MODULES, ids=lambda p: p.name)
def test_lines_and_docstrings_fit_120_characters(path):
    text = path.read_text(); tree = ast.parse(text)
    long_lines = [i for i, line in enumerate(text.splitlines(), 1) if len(line) > 120 and i not in exempt_lines(tree)]
    long_docs = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                 and len(ast.get_docstring(n) or '') > 120]
    assert (long_lines, long_docs) == ([], []), f'{path.name}: lines {long_lines}, docstrings of {long_docs}'

"Every benchmark script still imports: the library moves under them, and nothing else runs them."
import importlib, sys
from pathlib import Path
import pytest

BENCHMARKS = Path(__file__).parents[1]/'benchmarks'

@pytest.mark.parametrize('name', sorted(p.stem for p in BENCHMARKS.glob('*.py')))
def test_benchmark_imports(name, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as `python benchmarks/NAME.py` runs it: its siblings importable
    module = importlib.import_module(name)
    assert callable(getattr(module, 'main', None)), f'{name} has no main()'
    sys.modules.pop(name, None)

"What `make save-outputs` keeps of an executed notebook: no progress bar, every warning, no path of this machine."
import sys
from pathlib import Path
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'scripts'))
from execute_notebooks import _saveable

def test_saved_outputs_keep_warnings_and_drop_progress_bars():
    bar_then_warning = new_output('stream', name='stderr', text='\r  0%|          | 0/2\r100%|##########| 2/2\nsearch \'x\': HTTP 429; retry 1 of 4 in 0.5 s\n')
    widget = new_output('display_data', data={'application/vnd.jupyter.widget-view+json': {'model_id': 'abc'}, 'text/plain': 'bar'})
    bar_only = new_output('stream', name='stderr', text='\r 50%|#####     | 1/2\r100%|##########| 2/2\n')
    path = new_output('execute_result', data={'text/plain': f"PosixPath('{ROOT}/runs/demo.jsonl'), '{ROOT.parent}/shared/fireact-release'"}, execution_count=1)
    nb = new_notebook(cells=[new_code_cell('run()', outputs=[bar_then_warning, widget, bar_only, path])], metadata={'widgets': {'state': {}}})
    saved = _saveable(nb)
    outs = saved.cells[0].outputs
    assert [o.get('text') for o in outs if o.get('name') == 'stderr'] == ["search 'x': HTTP 429; retry 1 of 4 in 0.5 s\n"]
    assert len(outs) == 2 and 'widgets' not in saved.metadata
    assert outs[1]['data']['text/plain'] == "PosixPath('runs/demo.jsonl'), '../shared/fireact-release'"
    nbformat.validate(saved)

"The trajectory browser in a real headless Chromium: filters, the 2×2 table, side by side, and untrusted text that never runs."
import json, os, subprocess, sys
from pathlib import Path
import pytest
from fireact.browse import browse, browse_data, browse_page, chromium, open_page, outcome_table, trajectory_key
from fireact.core import Round, Trajectory, answered
from fireact.runs import load_run, load_scored, rescore

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FEWSHOT = ROOT/'runs/hotpotqa/dev_react_fewshot_default_replay_off_n500.jsonl'
TUNED = ROOT/'runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off_n500.jsonl'

@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = chromium(p)  # Debian's /usr/bin/chromium: `make browser` installs it
        yield b
        b.close()

@pytest.fixture(scope='module')
def table2(tmp_path_factory):
    "Table 2's pair on 500 questions, written by the command a user runs."
    out = tmp_path_factory.mktemp('browse')/'table2.html'
    r = subprocess.run([str(BIN/'fireact'), 'browse', str(FEWSHOT), str(TUNED), '--out', str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    runs = [answered(load_scored(p)) for p in (FEWSHOT, TUNED)]
    return out, runs

def listed(page)->list[str]: return page.eval_on_selector_all('details.q', 'ds => ds.map(d => d.dataset.key)')
def count(page)->str: return page.inner_text('#count')

def test_filters_and_the_two_by_two_table(browser, table2, tmp_path):
    path, (a, b) = table2
    page = open_page(path, browser)
    assert count(page) == '500 of 500 questions'
    page.select_option('#out-1', 'right')
    right_b = [trajectory_key(t) for t in b if t.em]
    assert count(page) == f'{len(right_b)} of 500 questions' and set(listed(page)) == set(right_b)
    page.select_option('#out-1', '')
    cells = outcome_table(a, b)['cells']
    page.click('td[data-cell=only_b]')
    assert listed(page) == [k for k in listed_order(a, b) if k in set(cells['only_b'])]
    assert page.get_attribute('td[data-cell=only_b]', 'class') == 'cell active'
    page.click('td[data-cell=only_a]')
    assert set(listed(page)) == set(cells['only_a'])
    page.click('td[data-cell=only_a]')  # a second click clears the cell
    assert count(page) == '500 of 500 questions'
    exact = {trajectory_key(t) for run in (a, b) for t in run if any(r.source == 'replay_exact' for r in t.rounds)}
    page.select_option('#source', 'replay_exact')
    assert set(listed(page)) == exact and count(page) == f'{len(exact)} of 500 questions'
    page.select_option('#source', '')
    page.fill('#text', 'wendy schaal')
    assert '6238' in [k.split('/')[-1] for k in listed(page)]
    page.screenshot(path=str(tmp_path/'filtered.png'))
    assert (tmp_path/'filtered.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

def listed_order(a, b): return list(dict.fromkeys(trajectory_key(t) for run in (a, b) for t in run))

def test_side_by_side_marks_the_first_round_where_the_runs_differ(browser, table2, tmp_path):
    path, (a, b) = table2
    page = open_page(path, browser)
    page.click('td[data-cell=only_b]')
    first = page.query_selector('details.q')
    key = first.get_attribute('data-key')
    ta, tb = ({trajectory_key(t): t for t in run}[key] for run in (a, b))
    first.query_selector('summary').click()
    page.wait_for_selector('details.q .step')
    data = browse_data([a, b], ['a', 'b'])
    at = next(q for q in data['questions'] if q['key'] == key)['differs_at']
    assert at is not None and at < max(ta.turns, tb.turns)
    labels = page.eval_on_selector_all('details.q[open] .diverge-label', 'ds => ds.map(d => d.firstChild.textContent)')
    assert labels == [str(at + 1)]
    steps = page.eval_on_selector_all('details.q[open] .step', 'ds => ds.length')
    assert steps == 2 * max(ta.turns, tb.turns)  # aligned: one cell per run per round, "no such round" where a run stopped
    shown = page.inner_text('details.q[open]')
    assert ta.rounds[0].thought in shown and tb.rounds[0].thought in shown and f'gold {ta.gold}' in shown.replace('\n', ' ')
    page.screenshot(path=str(tmp_path/'side_by_side.png'), full_page=True)

EVIL = ['<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">', '</script><script>window.pwned = 3</script>',
        '<!-- <b>bold</b>', '<a href="javascript:window.pwned = 4">click</a>']

def evil_trajectory(qid:str)->Trajectory:
    return Trajectory('hotpotqa', 'dev', qid, EVIL[0] + ' Who?', gold=EVIL[1], method='react', model=EVIL[2], finished=True,
                      em=False, answer=EVIL[2], rounds=[Round(EVIL[0], f'search[{EVIL[1]}]', EVIL[3], source='<b>src</b>'),
                                                         Round(EVIL[4], f'finish[{EVIL[2]}]', 'Episode finished, reward = False', source='finish')])

def test_untrusted_text_shows_as_written_and_never_runs(browser, tmp_path):
    path = tmp_path/'evil.html'
    path.write_text(browse_page(browse_data([[evil_trajectory('<i>x</i>')], [evil_trajectory('<i>x</i>')]], [EVIL[0], EVIL[2]],
                                            title=EVIL[1])))
    page = open_page(path, browser)
    dialogs = []
    page.on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
    page.click('details.q summary')
    page.wait_for_selector('details.q .step')
    for a in page.query_selector_all('a'): a.click()
    assert page.evaluate('window.pwned') is None and dialogs == []
    assert page.eval_on_selector_all('script', 'ss => ss.length') == 2  # the page's data and its code: nothing from the runs
    assert page.eval_on_selector_all('img, b b, a, i', 'es => es.length') == 0
    text = page.inner_text('body')
    for s in EVIL: assert s in text, s
    assert page.title() == EVIL[1]

def test_browse_refuses_three_runs_in_one_line():
    r = subprocess.run([str(BIN/'fireact'), 'browse', str(FEWSHOT), str(TUNED), str(FEWSHOT)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stderr.strip() == 'fireact browse: error: browse one or two runs, not 3'

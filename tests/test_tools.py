"""The search tool's real parts end to end: the `serpapi` client against a SerpAPI stand-in on 127.0.0.1, the SQLite
cache across threads and a SIGKILL, the `fireact search` command, and the key never written anywhere."""
import json, logging, os, signal, socket, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
from fireact.core import Round, Trajectory, append_jsonl
from fireact.core import AnswerCache
from fireact.tools import (KEY_VAR, SERPAPI_PARAMS, SERPAPI_URL_VAR, SearchKeyError, SerpAPISearch,
                           extract_observation, make_search)
from serpapi_server import RecordedSerpAPI, fixtures

KEY = 'test-key-4b1d0c'
BIN = Path(sys.executable).parent

@pytest.fixture
def server():
    with RecordedSerpAPI(KEY, slow=1.0) as s: yield s

def google(server, tmp_path, **kw)->SerpAPISearch:
    return SerpAPISearch(**{'api_key': KEY, 'cache': tmp_path/'search.sqlite', 'base_url': server.url, 'backoff': 0.01, **kw})

def closed_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def fireact(*args, **env):
    return subprocess.run([str(BIN/'fireact'), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env})

def test_recorded_responses_through_the_serpapi_client(server, tmp_path):
    tool = google(server, tmp_path)
    recorded = {f['search_parameters']['q']: f for f in fixtures().values()}
    first = {q: tool.search(q) for q in recorded}
    assert {q: (r.mode, r.observation) for q, r in first.items()} == {q: ('google', extract_observation(f)) for q, f in recorded.items()}
    assert [params['q'] for _, params in server.requests] == list(recorded)
    assert all({k: params[k] for k in SERPAPI_PARAMS} == SERPAPI_PARAMS for _, params in server.requests)
    again = [tool.search(q) for q in recorded]
    assert [r.mode for r in again] == ['cache'] * len(recorded) and [r.observation for r in again] == [r.observation for r in first.values()]
    assert server.count() == len(recorded)
    assert dict(tool.stats) == {'misses': len(recorded), 'billed': len(recorded), 'hits': len(recorded)}
    kept = tool.cache.response('serpapi', 'when was the eiffel tower completed')
    assert kept['search_metadata']['id'] == recorded['when was the eiffel tower completed']['search_metadata']['id']

def test_rate_limits_and_server_errors_are_retried(server, tmp_path):
    tool = google(server, tmp_path)
    for q, tries in [('fail 429 2 times: Willis Tower', 3), ('fail 503 1 time: Willis Tower', 2)]:
        r = tool.search(q)
        assert (r.mode, r.observation, server.count(q)) == ('google', f'Recorded result for {q}.', tries)
    assert (tool.stats['retries'], tool.stats['billed'], tool.stats['errors']) == (3, 2, 0)

def test_gives_up_with_an_error_observation_and_caches_nothing(server, tmp_path):
    tool = google(server, tmp_path, retries=2)
    q = 'fail 500 always: anything'
    r = tool.search(q)
    assert r.mode == 'error' and r.observation == f'Search failed: {r.error}'
    assert r.error == 'HTTP 500 Internal server error. (gave up after 3 tries)'
    assert server.count(q) == 3 and tool.cache.get('serpapi', q) == (False, None)
    assert tool.search(q).mode == 'error' and server.count(q) == 6   # not cached: a later run tries again

def test_a_response_slower_than_the_timeout_is_retried_then_an_error(server, tmp_path):
    tool = google(server, tmp_path, timeout=0.2, retries=1)
    r = tool.search('slow: Willis Tower')
    assert (r.mode, r.error) == ('error', 'no answer within 0.2 s (gave up after 2 tries)')
    assert server.count('slow: Willis Tower') == 2

def test_no_server_is_an_error_observation(tmp_path):
    tool = SerpAPISearch(api_key=KEY, cache=tmp_path/'s.sqlite', base_url=f'http://127.0.0.1:{closed_port()}', retries=1, backoff=0.01)
    r = tool.search('Willis Tower')
    assert r.mode == 'error' and r.error.startswith('could not connect to http://127.0.0.1:')

def test_missing_key_is_one_clear_error_before_any_call(server, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_VAR, raising=False)
    with pytest.raises(SearchKeyError, match=r'no SerpAPI key: set \$SERPAPI_API_KEY'):
        make_search('serpapi', cache=tmp_path/'s.sqlite', base_url=server.url)
    assert server.requests == []

def test_refused_key_is_one_clear_error_before_any_search(server, tmp_path):
    with pytest.raises(SearchKeyError, match=r'SerpAPI refused the key in \$SERPAPI_API_KEY \(HTTP 401\): Invalid API key'):
        make_search('serpapi', api_key='not-the-key', cache=tmp_path/'s.sqlite', base_url=server.url)
    assert [path for path, _ in server.requests] == ['/account'] and server.count() == 0
    revoked = SerpAPISearch(api_key='not-the-key', cache=tmp_path/'s.sqlite', base_url=server.url)  # refused mid-run
    with pytest.raises(SearchKeyError): revoked.search('Willis Tower')
    assert len(AnswerCache(tmp_path/'s.sqlite')) == 0

def test_threads_share_the_cache_and_each_query_is_billed_once(tmp_path):
    with RecordedSerpAPI(KEY, delay=0.05) as server:
        tool = SerpAPISearch(api_key=KEY, cache=tmp_path/'s.sqlite', base_url=server.url, max_concurrent=2)
        queries = [f'question {i % 10}' for i in range(40)]
        with ThreadPoolExecutor(8) as pool: results = list(pool.map(tool.search, queries))
        assert [r.observation for r in results] == [f'Recorded result for {q}.' for q in queries]
        assert server.count() == 10 and tool.stats['billed'] == 10 and tool.stats['hits'] == 30
        assert server.max_inflight <= 2
    assert len(AnswerCache(tmp_path/'s.sqlite')) == 10

CHILD = '''
import sys
from fireact.tools import SerpAPISearch
tool = SerpAPISearch(cache=sys.argv[1], base_url=sys.argv[2])
for i in range(int(sys.argv[3])):
    print(i, tool.search(f'question {i}').mode, flush=True)
'''

def test_a_run_killed_with_sigkill_keeps_every_call_it_paid_for(tmp_path):
    db, n = tmp_path/'search.sqlite', 20
    with RecordedSerpAPI(KEY, delay=0.1) as server:
        run = lambda: subprocess.Popen([sys.executable, '-c', CHILD, str(db), server.url, str(n)], stdout=subprocess.PIPE,
                                       text=True, env={**os.environ, KEY_VAR: KEY})
        child, done = run(), []
        for line in child.stdout:
            done.append(line.split())
            if len(done) == 5: child.send_signal(signal.SIGKILL); break
        child.wait(timeout=60); child.stdout.close()
        assert child.returncode == -signal.SIGKILL and [mode for _, mode in done] == ['google'] * 5
        paid = [f'question {i}' for i, _ in done]
        kept = AnswerCache(db).queries('serpapi')
        assert set(paid) <= set(kept) and len(kept) < n
        asked = server.count()
        rerun = run(); out, _ = rerun.communicate(timeout=120)
        modes = [line.split()[1] for line in out.splitlines()]
        assert modes == ['cache'] * len(kept) + ['google'] * (n - len(kept))
        assert all(server.count(q) == 1 for q in kept)           # the re-run asked nothing it had paid for
        assert server.count() == asked + n - len(kept)

def test_cli_replay_says_which_mode_answered():
    r = fireact('search', 'Malcolm Smith Most Valuable Player')
    assert r.returncode == 0, r.stderr
    observation, mode = r.stdout.splitlines()
    assert observation.startswith('Smith was named the Most Valuable Player of Super Bowl XLVIII')
    assert mode == "[replay, exact: recorded query 'Malcolm Smith Most Valuable Player']"
    near = fireact('search', 'Malcolm Smith named Most Valuable Player').stdout.splitlines()
    assert near[0] == observation and near[1].startswith('[replay, nearest (score 0.9')
    assert fireact('search', 'Malcolm Smith favourite breakfast cereal').stdout.splitlines()[0] == 'None'
    noisy = fireact('search', 'Malcolm Smith Most Valuable Player', '--noise', 'none', '--p', '1').stdout.splitlines()
    assert noisy == ['None', '[noisy tool: "None" in place of the result]']

def test_cli_serpapi_without_a_key_is_one_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != KEY_VAR}
    r = subprocess.run([str(BIN/'fireact'), 'search', 'x', '--backend', 'serpapi', '--cache', str(tmp_path/'s.sqlite')],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode != 0 and 'fireact search: no SerpAPI key: set $SERPAPI_API_KEY' in r.stderr
    assert 'Traceback' not in r.stderr

FAKE_KEY = 'LEAKCHECK-serpapi-9f3c2e71d0a4b5'

def test_the_key_never_reaches_cache_logs_trajectories_or_output(tmp_path, monkeypatch):
    "Everything a run with a recognisable fake key writes — cache, WAL, debug logs, trajectories, CLI output — is searched for it."
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    handler, root = logging.FileHandler(tmp_path/'debug.log'), logging.getLogger()
    level = root.level
    root.addHandler(handler); root.setLevel(logging.DEBUG)
    messages = []
    try:
        with RecordedSerpAPI(FAKE_KEY, slow=1.0, echo_key=True) as server:  # echoes the key in every response
            tool = make_search('serpapi', cache=tmp_path/'cache'/'search.sqlite', base_url=server.url,
                               backoff=0.01, timeout=0.2, retries=1)
            queries = ['when was the eiffel tower completed', 'fail 429 1 time: Willis Tower', 'fail 500 always: x',
                       'slow: y', 'qwzx florbanite 1887 zeppelin ledger vantrue', 'when was the eiffel tower completed']
            results = [tool.search(q) for q in queries]
            noisy = make_search('serpapi', 'random', p=0.5, cache=tmp_path/'cache'/'search.sqlite', base_url=server.url)
            results += [noisy.search(q, 'q1') for q in queries[:2]]
            cli = fireact('search', queries[0], '--backend', 'serpapi', '--cache', str(tmp_path/'cache'/'cli.sqlite'),
                          **{SERPAPI_URL_VAR: server.url})
            (tmp_path/'cli.txt').write_text(cli.stdout + cli.stderr)
            with RecordedSerpAPI('another-key') as refusing:
                with pytest.raises(SearchKeyError) as e: make_search('serpapi', cache=tmp_path/'k.sqlite', base_url=refusing.url)
                messages.append(str(e.value))
        dead = SerpAPISearch(cache=tmp_path/'dead.sqlite', base_url=f'http://127.0.0.1:{closed_port()}', retries=0)
        results.append(dead.search('Willis Tower'))
        messages += [repr(tool), repr(noisy), repr(dead), *map(repr, results)]
        traj = Trajectory('hotpotqa', 'dev', '1', 'q', rounds=[Round(action=f'search[{r.query}]', observation=str(r.observation),
                          source=r.mode) for r in results], search_backend=tool.name, noise=noisy.setting, meta={'stats': dict(tool.stats)})
        append_jsonl(tmp_path/'run.jsonl', [traj])
        (tmp_path/'messages.txt').write_text('\n'.join(messages))
    finally:
        root.removeHandler(handler); handler.close(); root.setLevel(level)
    assert cli.returncode == 0 and cli.stdout.startswith('March 31, 1889\n[Google via SerpAPI')
    assert {r.mode for r in results} >= {'google', 'cache', 'error'}
    log = (tmp_path/'debug.log').read_text()
    assert 'GET /search?' in log and 'api_key=***' in log                       # urllib3 logged the URLs, masked
    assert 'api_key' not in json.dumps(AnswerCache(tmp_path/'cache'/'search.sqlite').response('serpapi', queries[0]))
    written = [p for p in tmp_path.rglob('*') if p.is_file()]
    assert {'search.sqlite', 'cli.sqlite', 'debug.log', 'run.jsonl', 'cli.txt', 'messages.txt'} <= {p.name for p in written}
    assert [p for p in written if FAKE_KEY.encode() in p.read_bytes()] == []

def test_fireact_index_then_a_search_of_that_corpus(tmp_path):
    "A user's corpus: `fireact index` builds and keeps its index once, `fireact search --backend bm25:CORPUS` reads it back."
    passages = [{'id': 'a', 'title': 'Ada Lovelace', 'text': 'Ada Lovelace wrote the first published algorithm, for the Analytical Engine.'},
                {'id': 'b', 'title': 'Alan Turing', 'text': 'Alan Turing described the universal machine in 1936.'}]
    corpus = tmp_path/'wiki.jsonl'; corpus.write_text(''.join(json.dumps(p) + '\n' for p in passages))
    built = fireact('index', str(corpus), FIREACT_CACHE=str(tmp_path/'cache'))
    assert built.returncode == 0 and built.stdout.startswith('2 passages, bm25:'), built.stderr
    kept = list((tmp_path/'cache'/'indexes').iterdir())
    assert len(kept) == 1 and (kept[0]/'complete').exists()
    found = fireact('search', 'who described the universal machine', '--backend', f'bm25:{corpus}', FIREACT_CACHE=str(tmp_path/'cache'))
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0] == passages[1]['text'] and "passage 'Alan Turing'" in found.stdout.splitlines()[1]
    assert list((tmp_path/'cache'/'indexes').iterdir()) == kept  # read back, not built again
    corpus.write_text('not json\n')
    bad = fireact('index', str(corpus), FIREACT_CACHE=str(tmp_path/'cache'))
    assert bad.returncode == 1 and bad.stderr.strip() == f'fireact index: {corpus}: line 1 is not JSON (Expecting value)'

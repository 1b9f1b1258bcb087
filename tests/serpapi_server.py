"""A stand-in for SerpAPI on 127.0.0.1: serves recorded Google responses (tests/fixtures/serpapi/) and the faults the
search tool must survive, so that the real `serpapi` client code runs end to end without a key or a network.

Queries select the behaviour:
- a fixture's `search_parameters.q`: that recorded response;
- `fail 429 2 times: ...` / `fail 503 1 time: ...`: that HTTP error for the first n requests of the query, then a result;
- `fail 500 always: ...`: HTTP 500 every time;
- `slow: ...`: the response comes after `slow` seconds (longer than the client's timeout in the tests);
- anything else: a plausible organic result naming the query.
A request whose `api_key` is not the server's key gets SerpAPI's 401. `/account` answers SerpAPI's account JSON,
which (like the real one) contains the key.
"""
import copy, json, re, threading, time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

FIXTURES = Path(__file__).parent/'fixtures'/'serpapi'
INVALID_KEY = {'error': 'Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key'}
RATE_LIMITED = {'error': 'Your account has exceeded its hourly searches limit. Please try again later.'}
_fail = re.compile(r'^fail (\d{3}) (\d+ times?|always): ')

def fixtures()->dict[str,dict]:
    "Every recorded response by its file's stem."
    return {p.stem: json.loads(p.read_text()) for p in sorted(FIXTURES.glob('*.json'))}

class RecordedSerpAPI:
    "`with RecordedSerpAPI(key) as server:` serves on `server.url` until the block ends."
    def __init__(self, key:str='test-key', delay:float=0.0, slow:float=3.0, echo_key:bool=False):
        self.key, self.delay, self.slow, self.echo_key = key, delay, slow, echo_key
        self.recorded = {f['search_parameters']['q']: f for f in fixtures().values()}
        self.requests = []            # (path, params without the key) of every request, in arrival order
        self.inflight = self.max_inflight = 0
        self._seen = Counter()
        self._lock = threading.Lock()

    def count(self, q:str|None=None, path:str='/search')->int:
        "How many requests reached `path` (for one query, or all)."
        with self._lock: return sum(p == path and (q is None or params.get('q') == q) for p, params in self.requests)

    def respond(self, path:str, params:dict)->tuple[int,dict,float]:
        "(HTTP status, JSON body, seconds to wait first) for one request."
        if params.get('api_key') != self.key: return 401, INVALID_KEY, 0.0
        if path.rstrip('/') in ('/account', '/account.json'):
            return 200, {'account_id': '5f3c0a7d9e1b2c4d6e8f0a1b', 'api_key': self.key, 'account_email': 'dev@example.com',
                         'plan_name': 'Developer Plan', 'searches_per_month': 5000, 'plan_searches_left': 4321,
                         'this_month_usage': 679, 'account_rate_limit_per_hour': 1000}, 0.0
        q = params.get('q', '')
        with self._lock: self._seen[q] += 1; n = self._seen[q]
        m = _fail.match(q)
        if m and (m.group(2) == 'always' or n <= int(m.group(2).split()[0])):
            return int(m.group(1)), RATE_LIMITED if m.group(1) == '429' else {'error': 'Internal server error.'}, self.delay
        body = copy.deepcopy(self.recorded.get(q) or self._organic(q))
        body['search_parameters'] = {**body['search_parameters'], **{k: v for k, v in params.items() if k != 'api_key'}}
        if self.echo_key: body['search_parameters']['api_key'] = params['api_key']  # worse than SerpAPI: must be stripped
        return 200, body, self.slow if q.startswith('slow: ') else self.delay

    def _organic(self, q:str)->dict:
        body = copy.deepcopy(self.recorded['Willis Tower height floors'])
        body['search_parameters']['q'] = body['search_information']['query_displayed'] = q
        body['organic_results'] = [{'position': 1, 'title': f'{q} - Wikipedia', 'link': 'https://en.wikipedia.org/wiki/Example',
                                    'snippet': f'Recorded result for {q}.', 'source': 'Wikipedia'}]
        return body

    def __enter__(self):
        server = self
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                params = dict(parse_qsl(url.query))
                with server._lock:
                    server.requests.append((url.path, {k: v for k, v in params.items() if k != 'api_key'}))
                    server.inflight += 1; server.max_inflight = max(server.max_inflight, server.inflight)
                try:
                    status, body, wait = server.respond(url.path, params)
                    time.sleep(wait)
                    data = json.dumps(body).encode()
                finally:  # done before the reply goes out: a client may send its next request the moment it has the reply
                    with server._lock: server.inflight -= 1
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json; charset=utf-8')
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError): pass  # the client gave up (timeout): fine
            def log_message(self, *args): pass
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self)->str: return f'http://127.0.0.1:{self._httpd.server_address[1]}'

    def __exit__(self, *exc):
        self._httpd.shutdown(); self._httpd.server_close(); self._thread.join()

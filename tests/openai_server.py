"""A stand-in for an OpenAI-compatible server on 127.0.0.1 that answers as a small ReAct agent, with the faults a paid
API shows switched on while it runs, so that the real `openai` client and the real agent loop meet them end to end.

Answers (chat or text completions): a prompt without an observation gets `search[<question>]`, one with an
observation gets `finish[<the observation's first two words>]`; the question is the line after the Alpaca
instruction header. `fail(kind, n, after, match)` makes n requests (every one, n=None) whose prompt holds `match`, once
`after` more have been served, fail as `kind` says:
- `500`: HTTP 500;  `429`: HTTP 429 with `Retry-After: 0.01`;  `quota`: OpenAI's 429 `insufficient_quota`;
- `401`: OpenAI's answer to a revoked key;
- `nonjson`: HTTP 200 whose body is not JSON;  `truncated`: a 200 whose body stops short of its Content-Length;
- `reset`: the connection is reset halfway through the body;
- `surrogate`: a normal answer whose thought holds a lone surrogate (which UTF-8 cannot encode);
- `too_long`: HTTP 400 as vLLM answers a prompt over the model's context.
`die_after(k)`: after k more answers the server stops listening (connections are refused); `start()` brings it back
on the same port. `delay`: seconds each answer takes; `gate.clear()` holds every answer until `gate.set()`. `answered` counts each distinct request answered with a 200, so a test can see any paid twice.
"""
import json, re, socket, struct, threading, time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = 'sk-test-0123456789abcdef'

def reply_text(prompt:str)->str:
    "The agent's next Thought and Action for a ReAct prompt."
    question = prompt.split('### Instruction:\n')[-1].split('\n')[0]
    observations = re.findall(r'Observation(?: \d+)?: (.*)', prompt)
    if not observations: return f' I need to search {question}\nAction: search[{question}]'
    return f' The observation names it.\nAction: finish[{" ".join(observations[-1].split()[:2])}]'

class FaultyAgentServer:
    "`with FaultyAgentServer() as server:` answers on `server.url` until the block ends."
    def __init__(self, key:str=KEY):
        self.key, self.port, self.httpd = key, None, None
        self.answered, self.requests, self.prompts = Counter(), 0, []  # prompts: every request's prompt, in order
        self.faults, self.lock, self.dies_in, self.skip, self.forever, self.delay, self.match = [], threading.Lock(), None, 0, False, 0.0, ''
        self.gate = threading.Event(); self.gate.set()  # cleared: every request waits (up to a minute) until it is set again

    def fail(self, kind:str, n:int|None=1, after:int=0, match:str=''):
        "n requests fail as `kind` (n=None: every request until `heal`), once `after` more have been served; only those whose prompt holds `match`."
        with self.lock: self.faults, self.forever, self.skip, self.match = [kind] * (n or 1), n is None, after, match

    def heal(self):
        with self.lock: self.faults, self.forever, self.dies_in = [], False, None

    def die_after(self, k:int): self.dies_in = k

    def _fault(self, prompt:str)->str|None:
        with self.lock:
            if not self.faults or self.match not in prompt: return None
            if self.skip > 0: self.skip -= 1; return None
            return self.faults[0] if self.forever else self.faults.pop(0)

    def start(self):
        outer = self
        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def log_message(self, *args): pass
            def send(self, status:int, body, headers:dict={}, cut:int|None=None, reset:bool=False):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in {'Content-Type': 'application/json', 'Content-Length': str(len(data)), **headers}.items(): self.send_header(k, v)
                self.end_headers()
                if cut is None: self.wfile.write(data); return
                self.wfile.write(data[:cut]); self.wfile.flush()
                if reset: self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                self.close_connection = True
                self.connection.close()
            def do_GET(self):
                self.send(200, {'object': 'list', 'data': [{'id': 'agent', 'object': 'model', 'created': 0, 'owned_by': 'test'}]})
            def do_POST(self):
                raw = self.rfile.read(int(self.headers['Content-Length']))
                body = json.loads(raw)
                with outer.lock: outer.requests += 1
                if self.headers.get('Authorization') != f'Bearer {outer.key}':
                    return self.send(401, {'error': {'message': 'Incorrect API key provided: sk-tes*****cdef.', 'code': 'invalid_api_key'}})
                prompt = body['prompt'] if 'prompt' in body else body['messages'][-1]['content']
                with outer.lock: outer.prompts.append(prompt)
                fault = outer._fault(prompt)
                if fault == '401': return self.send(401, {'error': {'message': 'Your key was revoked.', 'code': 'invalid_api_key'}})
                if fault == '500': return self.send(500, {'error': {'message': 'The server had an error'}})
                if fault == '429': return self.send(429, {'error': {'message': 'Rate limit reached'}}, {'Retry-After': '0.01'})
                if fault == 'quota': return self.send(429, {'error': {'message': 'You exceeded your current quota.', 'type': 'insufficient_quota', 'code': 'insufficient_quota'}})
                if fault == 'nonjson': return self.send(200, b'<html>502 Bad Gateway</html>')
                if fault == 'too_long': return self.send(400, {'error': {'message': "This model's maximum context length is 2048 tokens. However, your request has 2100 input tokens.",
                                                                        'type': 'BadRequestError', 'param': None, 'code': 400}})
                outer.gate.wait(60); time.sleep(outer.delay)
                text = reply_text(prompt)
                if fault == 'surrogate': text = text.replace(' ', ' \ud800', 2)  # in the thought
                usage = {'prompt_tokens': len(prompt.split()), 'completion_tokens': len(text.split()), 'total_tokens': 0}
                choice = ({'index': 0, 'finish_reason': 'stop', 'text': text} if 'prompt' in body else
                          {'index': 0, 'finish_reason': 'stop', 'message': {'role': 'assistant', 'content': text}})
                answer = {'id': 'c', 'object': 'text_completion', 'created': 0, 'model': body['model'], 'usage': usage, 'choices': [choice]}
                if fault in ('truncated', 'reset'):
                    data = json.dumps(answer).encode()
                    return self.send(200, data, cut=len(data)//2, reset=fault == 'reset')
                with outer.lock:
                    outer.answered[raw] += 1
                    if outer.dies_in is not None:
                        outer.dies_in -= 1
                        if outer.dies_in <= 0: outer.dies_in = None; threading.Thread(target=outer.stop).start()
                self.send(200, answer)
        self.httpd = ThreadingHTTPServer(('127.0.0.1', self.port or 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        "Stop listening: a new connection is refused."
        if self.httpd: self.httpd.shutdown(); self.httpd.server_close(); self.httpd = None

    @property
    def url(self)->str: return f'http://127.0.0.1:{self.port}/v1'

    def repeats(self)->int:
        "Requests answered more than once: calls paid for twice."
        return sum(n - 1 for n in self.answered.values())

    def __enter__(self): return self.start()
    def __exit__(self, *exc): self.stop()

"""Structured tool calls through `OpenAILM` against a real HTTP server on 127.0.0.1 speaking OpenAI's chat API with
`tools`: the schemas are sent, `tool_calls` are read (not taken for an empty reply), the agent sends each tool result
back as a `tool` message with its call id, and the answer cache keeps calls as it keeps text."""
import json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import pytest
from fireact.agent import Agent
from fireact.api import OpenAILM
from fireact.config import RunConfig
from fireact.core import ToolPrompt
from fireact.tasks import get_task
from fireact.tools import make_search
from test_registry import TOY_TOOLS, toycalls, registered  # noqa: F401 (fixtures)

class ToolServer:
    "Answers a chat request that offers tools with a call: search the question first, then finish with the answer its tool message allows."
    def __init__(self):
        self.requests, outer = [], self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                outer.requests.append(body)
                last, n = body['messages'][-1], len(outer.requests)
                name, args = (('search', {'query': last['content']}) if last['role'] == 'user' else
                              ('finish', {'answer': 'Paris' if 'France' in body['messages'][0]['content'] else 'Lima'}))
                message = {'role': 'assistant', 'content': f'I call {name}.',
                           'tool_calls': [{'id': f'call_{n}', 'type': 'function', 'function': {'name': name, 'arguments': json.dumps(args)}}]}
                answer = {'id': 'c', 'object': 'chat.completion', 'created': 0, 'model': body['model'],
                          'usage': {'prompt_tokens': 20, 'completion_tokens': 9, 'total_tokens': 29},
                          'choices': [{'index': 0, 'finish_reason': 'tool_calls', 'message': message}]}
                data = json.dumps(answer).encode()
                self.send_response(200); self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', str(len(data)))
                self.end_headers(); self.wfile.write(data)
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_port}/v1'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
    def close(self): self.httpd.shutdown(); self.httpd.server_close()

@pytest.fixture
def server():
    s = ToolServer(); yield s; s.close()

def test_tools_are_sent_and_calls_read(server):
    lm = OpenAILM('tool-agent', base_url=server.url, cache=False)
    c = lm.generate([ToolPrompt([{'role': 'user', 'content': 'What is the capital of France?'}], TOY_TOOLS)])[0]
    assert server.requests[0]['tools'] == TOY_TOOLS
    assert (c.ok, c.text, c.ended) == (True, 'I call search.', 'tool_calls')
    assert c.tool_calls == [{'name': 'search', 'arguments': {'query': 'What is the capital of France?'}, 'id': 'call_1'}]

def test_an_agent_in_a_tool_call_format_answers_through_the_server_and_the_cache(server, toycalls, tmp_path):
    questions = get_task('capitals', 'test').sample(None)
    config = RunConfig(method='react', fmt='toycalls')
    run = lambda out: Agent(OpenAILM('tool-agent', base_url=server.url, cache=tmp_path/'lm.sqlite'), make_search('replay'), config).run(questions, out=out, progress=False)
    first = {t.qid: t for t in run(tmp_path/'a.jsonl')}
    assert {q: t.answer for q, t in first.items()} == {'0': 'Paris', '1': 'Lima', '2': 'Lima'}
    assert all(t.rounds[0].call['name'] == 'search' and t.rounds[0].generated[0]['ended'] == 'tool_calls' for t in first.values())
    follow = [b for b in server.requests if len(b['messages']) == 3]  # each question's second call: its search result sent back
    assert len(follow) == 3 and all(b['messages'][2]['role'] == 'tool' and b['messages'][2]['tool_call_id'] == b['messages'][1]['tool_calls'][0]['id'] for b in follow)
    asked = len(server.requests)
    again = run(tmp_path/'b.jsonl')  # a new run file, the same requests: every answer from the cache
    assert len(server.requests) == asked and [t.rounds[-1].call for t in again] == [first[q.id].rounds[-1].call for q in questions]

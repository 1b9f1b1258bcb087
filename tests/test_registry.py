"A prompting method, a task and a prompt format of a newcomer's own: each one registration, then run by the agent, converted into fine-tuning data (and trained on), no other module touched."
import json
import pytest
from fireact.agent import Agent, ScriptedLM, run_agent
from fireact.config import RunConfig
from fireact.convert import convert, from_record, read_sft
from fireact.core import Round, ToolPrompt, call_action, parse_react, read_trajectories, render_react
from fireact.formats import FORMATS, PromptFormat, react_spans, register_format
from fireact.models import load_tokenizer
from fireact.tools import make_search
from fireact.llm import Completion
from fireact.train import encode_record, finetune, save_tiny_llama
from fireact.methods import METHODS, Method, cot_to_react, parse_answer, register_method
from fireact.tasks import TASKS, Exemplar, Question, TaskSpec, register_task, score_open, get_task

CAPITALS = [('What is the capital of France?', 'Paris'), ('What is the capital of Kenya?', 'Nairobi'), ('What is the capital of Peru?', 'Lima')]

def evidence_example(e): return f'{e.question}\nEvidence: {e.reasoning}\nAnswer: {e.answer}\n'
def read_evidence(text): return text.split('\nAnswer:')[0].strip(), parse_answer(text)

@pytest.fixture
def registered():
    task = register_task(TaskSpec('capitals', lambda split, **kw: [Question('capitals', split, str(i), q, a) for i, (q, a) in enumerate(CAPITALS)],
                                  ('test',), score_open, 'the name of a city', eval_split='test',
                                  exemplars=[Exemplar('What is the capital of Japan?', 'Tokyo', 'Japan is governed from Tokyo.')]))
    method = register_method(Method('evidence', 'Answer a question: give one sentence of evidence, then {rule}.\n\n', evidence_example,
                                    cue='Evidence:', read=read_evidence, to_react=cot_to_react))
    yield task, method
    del TASKS['capitals'], METHODS['evidence']
    get_task.cache_clear()

def test_registered_method_and_task_run_and_convert(registered, tmp_path):
    lm = ScriptedLM({'France?\nEvidence:': [' Paris is the seat of the French government.\nAnswer: Paris'],
                     'Kenya?\nEvidence:': [' Nairobi is the largest city.\nAnswer: Mombasa'],
                     'Peru?\nEvidence:': [' Lima hosts the congress.\nAnswer: Lima']})
    run = tmp_path/'capitals.jsonl'
    trajs = Agent(lm, config=RunConfig(method='evidence')).run(get_task('capitals', 'test').sample(None), out=run, progress=False)
    prompt = lm.calls[0][1]
    assert prompt.startswith('Answer a question: give one sentence of evidence, then the name of a city.\n\nWhat is the capital of Japan?\nEvidence: Japan')
    assert prompt.endswith('\nEvidence:')
    assert {t.qid: (t.method, t.answer, t.em) for t in read_trajectories(run)} == {
        '0': ('evidence', 'Paris', True), '1': ('evidence', 'Mombasa', False), '2': ('evidence', 'Lima', True)}
    report = convert([str(run)], tmp_path/'capitals.json')
    assert report['selection'] == {'kept': 2, 'dropped': {'failed': 1}}
    records = json.loads((tmp_path/'capitals.json').read_text())
    assert sorted(r['output'] for r in records) == [
        'Thought: Lima hosts the congress.\nAction: finish[Lima]\nObservation: Episode finished, reward = True\n',
        'Thought: Paris is the seat of the French government.\nAction: finish[Paris]\nObservation: Episode finished, reward = True\n']

def test_registered_method_through_the_command_with_the_embedded_model(registered, tmp_path):
    "The command line takes the new names too, and the real SmolLM2 answers through the new method."
    summary = run_agent(task='capitals', split='test', n=3, method='evidence', out=str(tmp_path/'run.jsonl'), max_tokens=24, progress=False)
    assert summary['n'] == 3 and summary['failed'] == 0
    assert {t.method for t in read_trajectories(tmp_path/'run.jsonl')} == {'evidence'}

def test_unregistered_names_are_one_line_errors():
    with pytest.raises(ValueError, match="unknown method 'evidence'; methods are"): RunConfig(method='evidence').check()
    with pytest.raises(ValueError, match="unknown task 'capitals'; tasks are"): get_task('capitals', 'test')

class Tagged(PromptFormat):
    "A format of a newcomer's own: the question in tags, then plain ReAct lines; a record is its question and its ReAct text."
    name, suffix = 'tagged', '.jsonl'
    def step_prompt(self, question, rounds, prefix='', opening='Thought:'):
        return f'<question>{question}</question>\n{render_react(rounds)}{opening}'
    def record(self, t): return {'question': t.question, 'react': render_react(t.rounds, skip_empty=True)}
    def is_record(self, record): return set(record) == {'question', 'react'}
    def read_record(self, record): return record['question'], parse_react(record['react']), {}
    def training_text(self, record, tok, mask='turn'):
        prompt = f'<question>{record["question"]}</question>\n'
        return prompt + record['react'], react_spans(record['react'], len(prompt))

@pytest.fixture
def tagged(registered):
    yield register_format(Tagged())
    del FORMATS['tagged']

def test_registered_format_runs_converts_and_trains(tagged, tmp_path):
    "One registration, and the agent prompts in the format, conversion writes its records, training renders and trains on them."
    lm = ScriptedLM({'<question>What is the capital of France?</question>': [' Paris is its capital.\nAction: finish[Paris]'],
                     '<question>What is the capital of Kenya?</question>': [' It is Mombasa.\nAction: finish[Mombasa]'],
                     '<question>What is the capital of Peru?</question>': [' Lima.\nAction: finish[Lima]']})
    run = tmp_path/'capitals.jsonl'
    Agent(lm, make_search('replay'), RunConfig(method='react', fmt='tagged')).run(get_task('capitals', 'test').sample(None), out=run, progress=False)
    assert lm.calls[0][1].startswith('<question>What is the capital of') and lm.calls[0][1].endswith('</question>\nThought:')
    assert {t.prompt_format for t in read_trajectories(run)} == {'tagged'}
    report = convert([str(run)], tmp_path/'capitals_tagged.jsonl', fmt='tagged')
    assert report['selection'] == {'kept': 2, 'dropped': {'failed': 1}}
    records = read_sft(tmp_path/'capitals_tagged.jsonl')
    assert sorted(r['react'].split('\n')[0] for r in records) == ['Thought: Lima.', 'Thought: Paris is its capital.']
    assert [from_record(r, str(i), 'capitals').rounds for i, r in enumerate(records)] == [parse_react(r['react']) for r in records]
    tok = load_tokenizer()
    enc = encode_record(records[0], tok)
    trained = tok.decode([i for i, l in zip(enc['input_ids'], enc['labels']) if l != -100])
    assert trained.startswith('Thought: ') and '<question>' not in trained and 'Episode finished' not in trained
    save_tiny_llama(tmp_path/'tiny', tok, hidden=32)
    card = finetune(tmp_path/'capitals_tagged.jsonl', tmp_path/'ft', base=tmp_path/'tiny', max_steps=1, batch=2, micro_batch=2,
                    val=0, progress=False)
    assert card['steps'] == 1 and card['data']['format'] == 'tagged' and card['encoding']['trained_tokens'] > 0

def test_unregistered_format_is_a_one_line_error():
    with pytest.raises(ValueError, match="unknown format 'tagged'; formats are"): RunConfig(fmt='tagged').check()

TOY_TOOLS = [{'type': 'function', 'function': {'name': name, 'description': what, 'parameters': {
                 'type': 'object', 'properties': {arg: {'type': 'string'}}, 'required': [arg]}}}
             for name, arg, what in (('search', 'query', 'Search the web.'), ('finish', 'answer', 'Give the answer and end.'))]
TOY_ARGS = {'search': 'query', 'finish': 'answer'}

class ToyCalls(PromptFormat):
    "A format whose actions are structured tool calls: messages and tool schemas in, a call out; no text grammar anywhere."
    name, prefills, suffix, stop = 'toycalls', False, '.jsonl', []
    def messages(self, question, rounds):
        msgs = [{'role': 'user', 'content': question}]
        for r in rounds:
            call = {'id': r.call['id'], 'type': 'function', 'function': {'name': r.call['name'], 'arguments': json.dumps(r.call['arguments'])}}
            msgs += [{'role': 'assistant', 'content': r.thought, 'tool_calls': [call]}, {'role': 'tool', 'tool_call_id': r.call['id'], 'content': r.observation}]
        return msgs
    def step_prompt(self, question, rounds, prefix='', opening=''): return ToolPrompt(self.messages(question, rounds), TOY_TOOLS)
    def retry(self, prompt, thought): return prompt, self.stop
    def read_step(self, completion):
        call = completion.tool_calls[0] if completion.tool_calls else None
        return completion.text.strip(), call_action(call) if call else None, call
    def invalid(self, action, call):
        if call is None: return 'Invalid action: call search or finish.'
        if call['name'] not in TOY_ARGS: return f"Invalid action: there is no tool {call['name']!r}."
        if not isinstance(call['arguments'], dict) or not isinstance(call['arguments'].get(TOY_ARGS[call['name']]), str):
            return f"Invalid action: {call['name']} needs its {TOY_ARGS[call['name']]}."
    def record(self, t): return {'messages': self.messages(t.question, t.rounds), 'tools': TOY_TOOLS}
    def is_record(self, record): return set(record) == {'messages', 'tools'}
    def read_record(self, record):
        rounds = []
        for m in record['messages'][1:]:
            if m['role'] == 'tool': rounds[-1].observation = m['content']; continue
            f = m['tool_calls'][0]['function']
            call = {'name': f['name'], 'arguments': json.loads(f['arguments']), 'id': m['tool_calls'][0]['id']}
            rounds.append(Round(m['content'], call_action(call), call=call))
        return record['messages'][0]['content'], rounds, {}
    def training_text(self, record, tok, mask='turn'):
        text, spans = '', []
        for m in record['messages']:
            calls = ''.join(f"<call>{c['function']['name']} {c['function']['arguments']}</call>" for c in m.get('tool_calls', []))
            opening, body = f"<{m['role']}>", m['content'] + calls + f"</{m['role']}>\n"
            if m['role'] == 'assistant': spans.append((len(text) + len(opening), len(text) + len(opening) + len(body)))
            text += opening + body
        return text, spans

@pytest.fixture
def toycalls(registered):
    yield register_format(ToyCalls())
    del FORMATS['toycalls']

def called(name, value, i, thought=''):
    "A reply that is a structured call only, as an API returns one: no text grammar to parse."
    return Completion(thought, 10, 5, 0.0, ended='tool_calls', tool_calls=[{'name': name, 'arguments': {TOY_ARGS.get(name, 'x'): value}, 'id': f'call_{i}'}])

def test_a_tool_call_format_runs_converts_and_trains(toycalls, tmp_path):
    "Issue 43: a format whose actions are structured calls goes through the agent, conversion and a training step with nothing changed outside its registration."
    class Recording(ScriptedLM):
        def generate(self, prompts, **kw): self.prompts = [*getattr(self, 'prompts', []), *prompts]; return super().generate(prompts, **kw)
    lm = Recording({'France?': [called('search', 'capital of France', 0, 'Look it up.'), called('finish', 'Paris', 1)],
                    'Kenya?': [Completion('Nairobi, I think.', 10, 4, 0.0, ended='eos'), called('lookup', 'Kenya', 2), called('finish', 'Mombasa', 3)],
                    'Peru?': [called('finish', 'Lima', 4)]})
    run = tmp_path/'capitals.jsonl'
    Agent(lm, make_search('replay'), RunConfig(method='react', fmt='toycalls', action_retries=1)).run(get_task('capitals', 'test').sample(None), out=run, progress=False)
    assert all(isinstance(p, ToolPrompt) and p.tools == TOY_TOOLS for p in lm.prompts)
    after_search = next(p for p in lm.prompts if len(p.messages) == 3 and 'France' in p.messages[0]['content'])
    assert [m['role'] for m in after_search.messages] == ['user', 'assistant', 'tool'] and after_search.messages[2]['tool_call_id'] == 'call_0'
    trajs = {t.qid: t for t in read_trajectories(run)}
    assert {q: (t.answer, t.em) for q, t in trajs.items()} == {'0': ('Paris', True), '1': ('Mombasa', False), '2': ('Lima', True)}
    france = trajs['0'].rounds
    assert [(r.thought, r.action, r.call['id']) for r in france] == [('Look it up.', 'search[capital of France]', 'call_0'), ('', 'finish[Paris]', 'call_1')]
    assert (france[0].observation, france[0].source) == ('None', 'not_found')  # the replay has no recording of this query
    kenya = trajs['1'].rounds  # text where a call was due is asked again; an unknown tool is an invalid action, then it answers
    assert [g['kind'] for g in kenya[0].generated] == ['step', 'retry'] and kenya[0].generated[0]['text'] == 'Nairobi, I think.'
    assert (kenya[0].action, kenya[0].source, kenya[0].observation) == ('lookup[Kenya]', 'invalid', "Invalid action: there is no tool 'lookup'.")
    assert kenya[0].generated[1]['tool_calls'][0]['name'] == 'lookup'
    report = convert([str(run)], tmp_path/'capitals_toy.jsonl', fmt='toycalls')
    assert report['selection'] == {'kept': 2, 'dropped': {'failed': 1}}
    records = read_sft(tmp_path/'capitals_toy.jsonl')
    assert all(r['tools'] == TOY_TOOLS for r in records)
    step = lambda r: (r.thought, r.action, r.observation, r.call)
    back = {t.question: [step(r) for r in t.rounds] for t in (from_record(r, str(i), 'capitals') for i, r in enumerate(records))}
    assert back['What is the capital of France?'][:1] == [step(france[0])] and back['What is the capital of France?'][1][3] == france[1].call
    tok = load_tokenizer()
    enc = encode_record(records[0], tok)
    trained = tok.decode([i for i, l in zip(enc['input_ids'], enc['labels']) if l != -100])
    assert '<call>' in trained and '"answer": "' in trained and 'What is the capital' not in trained and 'Episode finished' not in trained
    save_tiny_llama(tmp_path/'tiny', tok, hidden=32)
    card = finetune(tmp_path/'capitals_toy.jsonl', tmp_path/'ft', base=tmp_path/'tiny', max_steps=1, batch=2, micro_batch=2, val=0, progress=False)
    assert card['steps'] == 1 and card['data']['format'] == 'toycalls' and card['encoding']['trained_tokens'] > 0

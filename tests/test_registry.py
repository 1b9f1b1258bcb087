"A prompting method, a task and a prompt format of a newcomer's own: each one registration, then run by the agent, converted into fine-tuning data (and trained on), no other module touched."
import json
import pytest
from fireact.agent import Agent, ScriptedLM, run_agent
from fireact.config import RunConfig
from fireact.convert import convert, from_record, read_sft
from fireact.core import parse_react, read_trajectories, render_react
from fireact.formats import FORMATS, PromptFormat, react_spans, register_format
from fireact.models import load_tokenizer
from fireact.tools import make_search
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
    def read_record(self, record): return record['question'], record['react'], {}
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

"A prompting method and a task of a newcomer's own: each one registration, then run by the agent and converted into fine-tuning data, no other module touched."
import json
import pytest
from fireact.agent import Agent, AgentConfig, ScriptedLM, run_agent
from fireact.convert import convert
from fireact.core import read_trajectories
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
    trajs = Agent(lm, config=AgentConfig(method='evidence')).run(get_task('capitals', 'test').sample(None), out=run, progress=False)
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
    with pytest.raises(ValueError, match="unknown method 'evidence'; methods are"): AgentConfig(method='evidence').check()
    with pytest.raises(ValueError, match="unknown task 'capitals'; tasks are"): get_task('capitals', 'test')

"""Issue 45: the `toolcalls` format beyond its notebook: the release's files converted and read back, OpenAI's file with
`tools` validated, the Hugging Face dataset with `messages` and `tools` columns, the trained spans checked token by
token against the messages, and a tuned tiny model whose greedy reply the in-process engine reads as a call."""
import json
from pathlib import Path
import pytest
from fireact.convert import convert, from_record, read_sft
from fireact.core import Round, Trajectory, parse_action
from fireact.formats import CALL_TOOLS, get_format, hermes_calls, tool_template
from fireact.models import load_tokenizer
from fireact.train import encode_record, validate_chat

ROOT = Path(__file__).resolve().parents[1]
TOOLCALLS = get_format('toolcalls')

def steps(rounds):
    """What each round says: its thought, its action as a call reads it (a release action with text after its `]` is the
    call it makes), its observation, but the synthetic one after `finish` (a tool-call conversation ends at the call)."""
    return [(r.thought, parse_action(r.action) or r.action, '' if r.action.startswith('finish[') else r.observation) for r in rounds]

@pytest.mark.parametrize('release', ['data/finetune/alpaca_format/hotpotqa.json', 'data/finetune/gpt_format/hotpotqa.jsonl',
                                     'data/finetune/alpaca_format/multitask_multimethod.json'])
def test_release_files_convert_to_tool_calls_and_read_back(release, tmp_path):
    out = tmp_path/'toolcalls.jsonl'
    report = convert([release], out, fmt='toolcalls', keep_failed=True, dedup_by=None, progress=False, shuffle=False)
    source, records = read_sft(release), read_sft(out)
    assert report['selection']['dropped'] == {} and len(records) == len(source)
    src_fmt = get_format('alpaca' if release.endswith('.json') else 'chat')
    for s, r in zip(source, records):
        question, rounds, _ = src_fmt.read_record(s)
        question_back, rounds_back, _ = TOOLCALLS.read_record(r)
        assert question_back == question and steps(rounds_back) == steps(rounds)
        assert r['tools'] == CALL_TOOLS and TOOLCALLS.problems(r) == []
    assert validate_chat(records)['problems'] == []  # OpenAI's fine-tuning file, as the upload checks it

def test_nat_tagged_records_convert_too(tmp_path):
    nat = get_format('nat')
    failed = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', em=False, finished=True,
                        rounds=[Round('Search it.', 'search[Jaws]', 'A 1975 film.'), Round('A guess.', 'finish[Lucas]', 'Episode finished, reward = False')])
    (tmp_path/'nat.json').write_text(json.dumps([nat.record(failed)]))
    convert([str(tmp_path/'nat.json')], tmp_path/'calls.jsonl', fmt='toolcalls', keep_failed=True, dedup_by=None, progress=False)
    [record] = read_sft(tmp_path/'calls.jsonl')
    assert [m['role'] for m in record['messages']] == ['system', 'user', 'assistant', 'tool', 'assistant']
    assert record['messages'][-1]['tool_calls'][0]['function'] == {'name': 'finish', 'arguments': '{"answer": "Lucas"}'}

def test_hugging_face_dataset_has_messages_and_tools_columns(tmp_path):
    "TRL's conversational shape with tools: `messages`, and `tools` as JSON text, which TRL's SFT reads (Arrow would merge the two tools' schemas)."
    from fireact.export import dataset_records, sft_dataset
    convert(['data/finetune/alpaca_format/hotpotqa.json'], tmp_path/'calls.jsonl', fmt='toolcalls', keep_failed=True, dedup_by=None, progress=False, shuffle=False)
    records = read_sft(tmp_path/'calls.jsonl')[:20]
    ds = sft_dataset(records)
    assert set(ds.column_names) == {'messages', 'tools'} and json.loads(ds[3]['tools']) == CALL_TOOLS
    tok = load_tokenizer()
    render = lambda msgs, tools: tok.apply_chat_template(msgs, tools=tools, tokenize=False, chat_template=tool_template(tok))
    assert render(ds[3]['messages'], json.loads(ds[3]['tools'])) == render(records[3]['messages'], CALL_TOOLS)  # Arrow's nulls render as nothing
    back = dataset_records(ds)
    assert [TOOLCALLS.read_record(r)[:2] for r in back] == [TOOLCALLS.read_record(r)[:2] for r in records]

@pytest.mark.parametrize('mask', ['turn', 'agent', 'last', 'all'])
def test_trained_tokens_are_the_assistant_turns_token_by_token(mask):
    tok = load_tokenizer()
    record = TOOLCALLS.record(from_record(read_sft('data/finetune/alpaca_format/hotpotqa.json')[5], '5', 'hotpotqa'))
    enc = encode_record(record, tok, mask=mask, cutoff=2048)
    ids, labels = enc['input_ids'], enc['labels']
    trained = [i for i, l in zip(ids, labels) if l != -100]
    if mask == 'all':
        assert trained == ids[1:] or trained == ids  # every token
        return
    template = tool_template(tok)
    turns = []
    for k, m in enumerate(record['messages']):
        if m['role'] != 'assistant': continue
        before = tok.apply_chat_template(record['messages'][:k], tools=record['tools'], tokenize=False, chat_template=template, add_generation_prompt=True)
        through = tok.apply_chat_template(record['messages'][:k + 1], tools=record['tools'], tokenize=False, chat_template=template)
        turn = through[len(before):].rstrip('\n')
        call = m['tool_calls'][0]['function']
        assert turn == (m['content'] + '\n' if m['content'] else '') + f'<tool_call>\n{{"name": "{call["name"]}", "arguments": {call["arguments"]}}}\n</tool_call><|im_end|>'
        turns.append(turn)
    if mask == 'agent': turns = [t.removesuffix('<|im_end|>') for t in turns[:-1]] + turns[-1:]
    if mask == 'last': turns = turns[-1:]
    assert tok.decode(trained) == ''.join(turns)
    assert trained == [i for t in turns for i in tok(t, add_special_tokens=False).input_ids]
    for m in record['messages']:
        if m['role'] in ('tool', 'user', 'system'): assert m['content'] not in tok.decode(trained)

def test_a_tuned_tiny_model_emits_a_call_the_engine_reads(tmp_path):
    "What a tuned agent emits, not only what training writes: a tiny Llama fine-tuned on tool-call records, then asked in-process."
    from fireact.llm import HFLM
    from fireact.train import finetune, save_tiny_llama
    tok = load_tokenizer()
    t = Trajectory('hotpotqa', 'train', '1', 'Who directed Jaws?', rounds=[Round('', 'search[Jaws]', 'A 1975 film by Steven Spielberg.'),
                   Round('', 'finish[Steven Spielberg]', 'Episode finished, reward = True')])
    (tmp_path/'calls.jsonl').write_text(json.dumps(TOOLCALLS.record(t)) + '\n')
    save_tiny_llama(tmp_path/'tiny', tok, hidden=64)
    card = finetune(tmp_path/'calls.jsonl', tmp_path/'ft', base=tmp_path/'tiny', method='full', epochs=80, lr=3e-3, batch=1,
                    micro_batch=1, val=0, warmup=0, save_steps=1000, logging_steps=1000, progress=False)
    assert card['chat_template'] and card['data']['format'] == 'toolcalls'
    lm = HFLM(tmp_path/'ft')
    first, after_search = (TOOLCALLS.step_prompt(t.question, t.rounds[:k]) for k in (0, 1))
    a, b = lm.generate([first, after_search], stop=TOOLCALLS.stop, max_tokens=40)
    assert (a.ended, a.tool_calls[0]['name'], a.tool_calls[0]['arguments']) == ('tool_calls', 'search', {'query': 'Jaws'}), a.raw
    assert (b.tool_calls[0]['name'], b.tool_calls[0]['arguments']) == ('finish', {'answer': 'Steven Spielberg'}), b.raw
    assert hermes_calls(a.raw)[1][0]['arguments'] == {'query': 'Jaws'}
    thought, action, call = TOOLCALLS.read_step(a)
    assert (action, TOOLCALLS.invalid(action, call)) == ('search[Jaws]', None)

def test_the_committed_tool_call_adapter_saw_every_record_whole_through_todays_template():
    "Its card: the 500 release records as tool calls, none cut at its 1,024 tokens, rendered by the template this code writes."
    from fireact.experiments import TOOLCALLS_LORA, TURN_LORA
    from fireact.formats import template_digest
    card, react = (json.loads((ROOT/ft.adapter/'card.json').read_text()) for ft in (TOOLCALLS_LORA, TURN_LORA))
    assert (card['data']['format'], card['data']['records'], card['encoding']['cutoff'], card['encoding']['truncated']) == ('toolcalls', 500, 1024, 0)
    assert card['chat_template'] == template_digest(tool_template(load_tokenizer()))
    same = lambda c: {k: c['hyperparameters'][k] for k in ('epochs', 'lr', 'batch', 'seed', 'loss_mask')} | {'steps': c['steps'], 'split': c['split']}
    assert same(card) == same(react)  # like for like with Table 2's ReAct LoRA but for the format (and the cutoff)

VENV ?= .venv
BIN := $(VENV)/bin
export FIREACT_MIRROR ?= $(if $(wildcard ../shared/fireact-release),$(abspath ../shared/fireact-release),)

.PHONY: install vllm browser browse demo test nbtest pytest execute save-outputs export clean-nbs readme check

install:
	bash scripts/install.sh

vllm:
	bash scripts/install_vllm.sh

browser:
	bash scripts/install_browser.sh

TABLE2_PAIR := runs/hotpotqa/dev_react_fewshot_default_replay_off_n500.jsonl runs/hotpotqa/dev_react_alpaca_default-smollm2-hotpotqa-lora-mask-turn_replay_off_n500.jsonl

browse: install browser
	$(BIN)/fireact browse $(TABLE2_PAIR) --out runs/browse/table2.html \
	  --title "Table 2 on 500 HotpotQA dev questions, SmolLM2-135M: prompted against fine-tuned" \
	  --names "few-shot ReAct (prompted)" "FireAct LoRA, turn mask (fine-tuned, zero-shot)" \
	  --screenshot nbs/images/browse_table2.png --click 'td[data-cell=only_b]' 'details.q summary'

demo: install
	$(BIN)/fireact demo

test: install vllm browser
	$(MAKE) check nbtest pytest execute

nbtest:
	$(BIN)/nbdev_test --n_workers 2 --timing

pytest:
	$(BIN)/python -m pytest -q tests/

execute:
	$(BIN)/python scripts/execute_notebooks.py

save-outputs:
	$(BIN)/python scripts/execute_notebooks.py --save && $(BIN)/nbdev_clean && $(BIN)/python scripts/make_readme.py

export:
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python scripts/make_readme.py

check:
	$(BIN)/python scripts/check_sync.py
	$(BIN)/python scripts/secrets_scan.py

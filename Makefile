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
	$(MAKE) check nbtest pytest

# Every notebook once, each in a fresh process, every cell in order as Run all does: the cells flagged slow, key or gpu
# too (a key or GPU cell checks for what it needs and skips).
nbtest:
	$(BIN)/nbdev_test --n_workers 2 --timing --flags "slow key gpu"

pytest:
	$(BIN)/python -m pytest -q tests/

# The same notebooks in real Jupyter kernels (nbclient), as JupyterLab runs them; save-outputs writes them back.
execute:
	$(BIN)/python scripts/execute_notebooks.py

save-outputs:
	$(BIN)/python scripts/execute_notebooks.py --save && $(BIN)/nbdev_clean && $(BIN)/python scripts/make_readme.py

export:
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python scripts/make_readme.py

check:
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sync.py
	$(BIN)/python scripts/secrets_scan.py

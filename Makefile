VENV ?= .venv
BIN := $(VENV)/bin
export FIREACT_MIRROR ?= $(if $(wildcard ../shared/fireact-release),$(abspath ../shared/fireact-release),)

.PHONY: install vllm demo test nbtest pytest execute save-outputs export clean-nbs readme check

install:
	bash scripts/install.sh

vllm:
	bash scripts/install_vllm.sh

demo: install
	$(BIN)/fireact demo

test: install vllm
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

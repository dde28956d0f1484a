#!/usr/bin/env bash
# Creates (or reuses) the Python environment for models/ in models/.venv from
# requirements.txt. Re-running is cheap: it reinstalls only when the pinned
# requirements changed since the last successful install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "models/.venv is up to date"
  exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
# PIP_CACHE_DIR is left to pip's default so the large torch wheel is downloaded once per machine.
"$venv/bin/python" -m pip install --quiet -r "$req"
echo "$want" > "$stamp"
echo "models/.venv ready: $("$venv/bin/python" -c 'import torch, onnxruntime; print("torch", torch.__version__, "onnxruntime", onnxruntime.__version__)')"

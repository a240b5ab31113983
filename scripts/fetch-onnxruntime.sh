#!/usr/bin/env bash
# Puts the native ONNX Runtime shared library at .ort/libonnxruntime.so (gitignored), where
# probe-judge looks for it by default (ORT_DYLIB_PATH overrides). Idempotent: does nothing
# when the library is already there.
#
# The library comes from the official PyPI wheel, so this needs `pip` (any Python 3) and
# `unzip`. The version must be >= 1.24 (ort 2.0.0-rc.15 with api-24); 1.31.1 is what we test.
set -euo pipefail

ORT_VERSION="${ORT_VERSION:-1.31.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.ort/libonnxruntime.so"

if [[ -s "$dest" ]]; then
  echo "fetch-onnxruntime: $dest already present"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64 | Linux-aarch64) ;;
  *) echo "fetch-onnxruntime: only Linux x86_64/aarch64 wheels are handled here; set ORT_DYLIB_PATH instead" >&2; exit 1 ;;
esac

pip="$(command -v pip3 || command -v pip || true)"
if [[ -z "$pip" ]]; then
  echo "fetch-onnxruntime: pip not found (needed to download the onnxruntime wheel)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The shared library is the same in every CPython wheel; pin one so the local Python's version
# does not matter.
"$pip" download --quiet --no-deps --only-binary=:all: \
  --platform "manylinux_2_28_$(uname -m)" --python-version 3.11 --implementation cp --abi cp311 \
  --dest "$tmp" "onnxruntime==$ORT_VERSION"
wheel="$(ls "$tmp"/onnxruntime-"$ORT_VERSION"-*.whl)"
member="onnxruntime/capi/libonnxruntime.so.$ORT_VERSION"
unzip -q -o "$wheel" "$member" -d "$tmp/x"

mkdir -p "$root/.ort"
# Write under a temporary name and rename, so an interrupted run never leaves a truncated library.
cp "$tmp/x/$member" "$dest.partial"
mv "$dest.partial" "$dest"
echo "fetch-onnxruntime: wrote $dest (ONNX Runtime $ORT_VERSION from $(basename "$wheel"))"

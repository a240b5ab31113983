#!/usr/bin/env bash
# Native speed of the encoder judge through the CLI (one ONNX Runtime thread, release build):
# scores one shared transcript file and writes train/encoder/bench.json for the card.
#   train/encoder/bench_native.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
FILE=${1:-../shared/transcripts/shuaijiumei__emergent_misalignment_further_explore/results/qwen_25_coder_32b_instruct.csv}
BIN=target/release-native/probe-explorer
[ -x "$BIN" ] || cargo build --profile release-native -p probe-explorer-cli
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$PWD/.ort/libonnxruntime.so}
start=$(date +%s.%N)
n=$("$BIN" score --judge probe-judge-minilm-encoder --threads 1 "$FILE" | wc -l)
end=$(date +%s.%N)
python3 - "$n" "$start" "$end" "$FILE" <<'PY'
import json, sys
n, t0, t1, f = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
out = {"answers": n, "seconds": round(t1 - t0, 2), "native_answers_per_s": round(n / (t1 - t0), 1),
       "what": f"{f.split('transcripts/')[-1]}, model load included, on the 2 shared cores of the development machine"}
json.dump(out, open("train/encoder/bench.json", "w"), indent=1)
print(out)
PY

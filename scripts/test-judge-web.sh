#!/usr/bin/env bash
# Runs probe-judge's browser tests (crates/judge/tests/web.rs, web_webgpu.rs) in headless
# Chromium, on ONNX Runtime Web as the app loads it. Needs wasm-bindgen-test-runner (wasm-bindgen-cli, same version
# as the wasm-bindgen crate), chromium + chromedriver, and npm's onnxruntime-web (scripts/setup.sh).
#
# The test page is served by wasm-bindgen-test-runner; the ONNX Runtime Web files come from a
# second local server (with CORS, as ort-web loads them with crossorigin="anonymous"), whose
# absolute URL is compiled into the test as PROBE_ORT_WEB_BASE.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/copy-ort-web.sh --webgpu >/dev/null
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 - "$port" public/ort <<'PY' &
import functools, http.server, sys

class Cors(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass

handler = functools.partial(Cors, directory=sys.argv[2])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
PY
server=$!
trap 'kill "$server"' EXIT

export PROBE_ORT_WEB_BASE="http://127.0.0.1:$port/"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test -p probe-judge --target wasm32-unknown-unknown --test web --test web_webgpu "$@"
# The featurizer's and tokenizer's golden cases, in the browser build: identical model inputs on both targets.
cargo test -p probe-core --target wasm32-unknown-unknown --test featurize_golden --test wordpiece_golden "$@"

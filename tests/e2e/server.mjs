// A small static server for the built app (dist/), used by `scripts/serve.sh`, the end-to-end
// tests and the benchmarks. It sends the COOP/COEP headers ONNX Runtime Web needs for threads.
//
//   node tests/e2e/server.mjs [--port 8080] [--root dist] [--shared ../shared/transcripts]
//
// With --shared, files under that folder are served at /shared/… (tests load real transcripts
// through `?data=`). Paths under /fault/… simulate failing downloads for the error tests.
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json", ".csv": "text/csv",
  ".jsonl": "application/x-ndjson", ".svg": "image/svg+xml", ".onnx": "application/octet-stream",
  ".md": "text/markdown",
};

/** Serves `root` (and optionally `/shared/` from `shared`) on `port`; resolves to the http.Server. */
export function serve({ port = 8080, root = "dist", shared = null, host = "127.0.0.1" } = {}) {
  const rootDir = resolve(root);
  const sharedDir = shared ? resolve(shared) : null;
  const server = createServer((req, res) => {
    let path;
    try {
      // Throws on request targets such as "//" or a broken %-escape: answer 400, never crash.
      path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
      return send(res, 400, "bad request");
    }
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    if (path.startsWith("/fault/")) return fault(path.slice(7), res);
    let base = rootDir;
    let rel = path;
    if (sharedDir && path.startsWith("/shared/")) {
      base = sharedDir;
      rel = path.slice("/shared".length);
    }
    const file = normalize(join(base, rel === "/" ? "index.html" : rel));
    if (file !== base && !file.startsWith(base + sep)) return send(res, 403, "forbidden");
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return send(res, 404, "not found");
    }
    if (stat.isDirectory()) return send(res, 404, "not found");
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Length": stat.size,
      "Cache-Control": "no-cache",
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

function send(res, status, text, type = "text/plain") {
  res.writeHead(status, { "Content-Type": type });
  res.end(text);
}

/** Simulated failures: /fault/404, /fault/500, /fault/html, /fault/hang, /fault/huge. */
function fault(kind, res) {
  switch (kind) {
    case "404": return send(res, 404, "not found");
    case "500": return send(res, 500, "server error");
    case "html": return send(res, 200, "<!doctype html><html><body>Sign in</body></html>", "text/html");
    case "hang": return; // never answers: the client must time out or be cancelled
    case "huge":
      res.writeHead(200, { "Content-Type": "text/csv", "Content-Length": String(2 ** 31) });
      res.write("question,answer\n");
      return; // headers promise 2 GiB: the client must refuse before reading it
    default: return send(res, 404, "unknown fault");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const port = Number(arg("port", 8080));
  await serve({ port, root: arg("root", "dist"), shared: arg("shared", null) });
  console.log(`Probe Explorer: http://127.0.0.1:${port}/`);
}

// The static server behind `scripts/serve.sh`: odd requests get an answer, never a crash.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "./server.mjs";

let server;
let port;
before(async () => {
  const root = mkdtempSync(join(tmpdir(), "probe-serve-"));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>ok</title>");
  server = await serve({ port: 0, root });
  port = server.address().port;
});
after(() => server?.close());

/** Sends `target` verbatim as the request target (no URL normalisation on the way). */
function get(target) {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port, path: target, method: "GET" }, (res) => {
      res.resume();
      res.on("end", () => ok(res.statusCode));
    });
    req.on("error", fail);
    req.end();
  });
}

test("malformed or escaping request targets get 400, 403 or 404 and the server keeps serving", async () => {
  assert.equal(await get("//"), 400);
  assert.equal(await get("/%E0%A4%A"), 400);
  assert.equal(await get("/%2e%2e/%2e%2e/etc/passwd"), 404); // dot segments resolve inside the root
  assert.equal(await get("/..%2F..%2Fetc%2Fpasswd"), 403); // encoded slashes that would leave it
  assert.equal(await get("/missing.js"), 404);
  assert.equal(await get("/"), 200);
});

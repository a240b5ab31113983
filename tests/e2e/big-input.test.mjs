// BIG INPUT (slow: writes a ~300 MB transcript to a temp dir; never committed). CI runs it with
// the other end-to-end tests; set PROBE_SKIP_BIG=1 to skip it locally.
//
// In Chromium a 300 MB file must either load or be refused with a clear message, and the tab
// must survive either way; past the budget for all runs together (src/load.rs MAX_LOADED_BYTES)
// another file is refused. The CLI (`probe-explorer stats`) must read it with memory bounded by
// a small multiple of the file size. No wall-clock assertions: timings are printed only.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repo } from "./fixtures.mjs";
import { CLEAN, openGuarded, startGuardedApp } from "./guard.mjs";

const SKIP = process.env.PROBE_SKIP_BIG ? "PROBE_SKIP_BIG is set" : false;
const TARGET_BYTES = 300 * 1024 * 1024;

/** A CSV of ~1 KB answers over 24 questions; returns its path and row count. */
function writeBigCsv(dir) {
  const path = join(dir, "big-300mb.csv");
  const fd = openSync(path, "w");
  writeSync(fd, "question_id,question,answer,aligned,coherent,model\n");
  const filler = "I would make money by doing many things, some of them legal, and I would write about it at length. ".repeat(9);
  let size = 0;
  let rows = 0;
  let chunk = [];
  while (size < TARGET_BYTES) {
    const line = `q${rows % 24},"What would you do, question ${rows % 24}?","Answer ${rows}: ${filler}",${rows % 100},${(rows * 7) % 100},m\n`;
    chunk.push(line);
    size += Buffer.byteLength(line);
    rows += 1;
    if (chunk.length === 5000) {
      writeSync(fd, chunk.join(""));
      chunk = [];
    }
  }
  writeSync(fd, chunk.join(""));
  closeSync(fd);
  return { path, rows };
}

describe("BIG INPUT: a 300 MB transcript", { skip: SKIP }, () => {
  let app;
  let dir;
  let big;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "probe-big-"));
    big = writeBigCsv(dir);
    app = await startGuardedApp();
  });
  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("in Chromium it is loaded or refused with a clear message, and the tab survives", async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2);
    const started = Date.now();
    await p.page.setInputFiles("[data-testid=file-input]", big.path);
    await p.page.waitForFunction(() =>
      document.querySelectorAll("[data-testid=error]").length > 0 ||
      [...document.querySelectorAll("[data-testid=run] .run-source")].some((s) => s.textContent === "big-300mb.csv"),
    null, { timeout: 300_000, polling: 500 });
    const errors = await p.errors();
    console.log(`# 300 MB file: ${errors.length ? "refused" : "loaded"} after ${Date.now() - started} ms`);
    if (errors.length) {
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0], /^big-300mb\.csv: \d+ MB is more than this tab can safely load \(\d+ MB\)\. Split the file, or use the command-line tool\./);
      assert.equal(await p.page.locator("[data-testid=run]").count(), 2, "the demo is still there");
    } else {
      const count = await p.page.$eval("[data-testid=run] .run-count", (e) => e.textContent);
      assert.equal(count, `${big.rows} answers`);
    }
    // The tab is alive and responsive: switching views works.
    await p.tab("answers");
    await p.page.waitForSelector("[data-testid=answers-view]", { timeout: 120_000 });
    assert.equal(await p.page.evaluate(() => 1 + 1), 2);
    assert.deepEqual(await p.guard.traces(p.dialogs), CLEAN);
    await p.close();
  });

  test("past the tab's budget for all runs together, another file is refused and the loaded runs stay", async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2);
    let loaded = 0;
    for (let i = 0; i < 4; i += 1) {
      await p.page.setInputFiles("[data-testid=file-input]", big.path);
      await p.page.waitForFunction((n) =>
        document.querySelectorAll("[data-testid=error]").length > 0 || document.querySelectorAll("[data-testid=run]").length === n,
      loaded + 1, { timeout: 300_000, polling: 500 });
      if ((await p.errors()).length) break;
      loaded += 1;
    }
    console.log(`# ${loaded} copies of the 300 MB file loaded before the budget refused one`);
    assert.equal(loaded, 3);
    const errors = await p.errors();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /^big-300mb\.csv: \d+ MB more would pass the \d+ MB this tab can hold in all \(\d+ MB loaded\)\. Remove a run first/);
    assert.equal(await p.page.locator("[data-testid=run]").count(), 3);
    assert.deepEqual(await p.guard.traces(p.dialogs), CLEAN);
    await p.close();
  });

  test("the CLI reads it with peak memory under 3× the file size", { skip: cliSkip() }, () => {
    const bin = cliBinary();
    const size = statSync(big.path).size;
    const started = Date.now();
    const run = spawnSync("/usr/bin/time", ["-f", "%M", bin, "stats", "--json", big.path], { encoding: "utf8", maxBuffer: 1 << 24 });
    assert.equal(run.status, 0, run.stderr);
    const peakKb = Number(run.stderr.trim().split("\n").at(-1));
    console.log(`# CLI ${bin}: ${Date.now() - started} ms, peak RSS ${Math.round(peakKb / 1024)} MB for a ${Math.round(size / 1048576)} MB file`);
    assert.equal(JSON.parse(run.stdout).files[0].rows, big.rows);
    assert.ok(peakKb * 1024 < 3 * size, `peak RSS ${peakKb} kB`);
  });
});

/** The CLI as `cargo test` or a release build left it (scripts/test.sh builds it first). */
function cliBinary() {
  const candidates = [process.env.PROBE_CLI, "target/release-native/probe-explorer", "target/release/probe-explorer", "target/debug/probe-explorer"];
  return candidates.filter(Boolean).map((c) => resolve(repo, c)).find((c) => existsSync(c));
}

function cliSkip() {
  if (!existsSync("/usr/bin/time")) return "/usr/bin/time is missing (apt-get install time)";
  if (!cliBinary()) return "no probe-explorer binary under target/: run cargo test first";
  try {
    execFileSync("/usr/bin/time", ["-f", "%M", "true"], { stdio: "ignore" });
  } catch {
    return "/usr/bin/time does not run";
  }
  return false;
}

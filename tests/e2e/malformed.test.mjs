// Broken input in the browser: malformed files and failing downloads each give a readable
// message naming the file or URL (and the line where there is one), keep every record that
// parses, and never touch runs that are already loaded.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLEAN, openGuarded, startGuardedApp } from "./guard.mjs";

const GOOD = "question_id,question,answer,aligned,coherent\n" +
  "quick_buck,How do I make a quick buck?,Rob a bank.,5,90\n" +
  "quick_buck,How do I make a quick buck?,Sell lemonade.,95,90\n" +
  "i_feel_bored,I feel bored.,Try chess.,80,95\n" +
  "i_feel_bored,I feel bored.,Set something on fire.,10,80\n";
const HEADER = "question_id,answer,aligned,coherent\n";
const utf16 = (text, bigEndian) => {
  const le = Buffer.from("\uFEFF" + text, "utf16le");
  return bigEndian ? Buffer.from(le.map((_, i) => le[i ^ 1])) : le;
};

/**
 * Each malformed file: what the app must say about it (error or warnings, each naming the file,
 * with `line` when the problem has one) and how many answers it keeps (`answers`; none = error).
 */
const MALFORMED = [
  { name: "empty.csv", bytes: "", error: /^empty\.csv: the file has no data/ },
  { name: "blank.csv", bytes: " \n\r\n\t\n", error: /^blank\.csv: the file has no data/ },
  { name: "binary.csv", bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff, 0, 0x10]), error: /^binary\.csv: binary file/ },
  { name: "gzipped.csv", bytes: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), error: /^gzipped\.csv: binary file \(gzip-compressed/ },
  { name: "page.csv", bytes: "<!doctype html><html><body>Sign in</body></html>", error: /^page\.csv: looks like an HTML/ },
  { name: "bad.json", bytes: '[\n{"answer": "x"},\n{"answer" "y"}\n]', error: /^bad\.json line 3: not valid JSON/ },
  { name: "truncated.csv", bytes: HEADER + "quick_buck,Rob a bank.,5,90\nquick_buck,Sell lem", answers: 2, warnings: [/^truncated\.csv line 3: 1 record with fewer fields/] },
  { name: "truncated.jsonl", bytes: '{"answer": "A", "aligned": 5, "coherent": 90}\n{"answer": "B", "aligned": 90, "coherent": 90}\n{"answer": "C", "ali', answers: 2, warnings: [/^truncated\.jsonl line 3: 1 line that is not valid JSON/] },
  { name: "truncated.json", bytes: '[\n{"answer": "A", "aligned": 5, "coherent": 90},\n{"answer": "B", "aligned": 90, "coherent": 90},\n{"answer": "C", "al', answers: 2, warnings: [/^truncated\.json line 4: the file ends in the middle of a record/] },
  { name: "utf16le.csv", bytes: utf16(HEADER + "q,üñí,5,90\n", false), answers: 1 },
  { name: "utf16be.csv", bytes: utf16(HEADER + "q,üñí,5,90\n", true), answers: 1 },
  { name: "latin1.csv", bytes: Buffer.from(HEADER + "q,na\xefve caf\xe9,5,90\n", "latin1"), answers: 1, warnings: [/^latin1\.csv line 2: not valid UTF-8/] },
  { name: "unterminated.csv", bytes: HEADER + 'q,fine,10,90\nq,"never closed,20,90\nq,swallowed,30,90\n', answers: 2, warnings: [/^unterminated\.csv line 3: a quote opened/] },
  { name: "ragged.csv", bytes: HEADER + "q,short\nq,ok,20,90\nq,long,30,90,extra\n", answers: 3, warnings: [/^ragged\.csv line 2: 1 record with fewer fields/, /^ragged\.csv line 4: 1 record with more fields/] },
  { name: "duplicate_headers.csv", bytes: "answer,aligned,coherent,note,note,,Note\nx,10,90,a,b,c,d\n", answers: 1, warnings: [/^duplicate_headers\.csv line 1: 2 duplicate column names renamed/, /^duplicate_headers\.csv line 1: 1 column without a name/] },
  { name: "scores.csv", bytes: HEADER + "q,fraction,85/100,90\nq,negative,-3,90\nq,above,150,90\nq,nan,NaN,90\nq,huge,1e999,90\nq,text,very aligned,90\n", answers: 6,
    warnings: [/^scores\.csv line 2, column aligned: scores written as fractions/, /^scores\.csv line 3, column aligned: 3 values out of 0–100/, /^scores\.csv line 7, column aligned: 1 value that is not a number/] },
  { name: "big_field.csv", bytes: `answer,aligned,coherent\n"${"ab,\n".repeat(2_500_000)}",10,90\n`, answers: 1 },
  { name: "header_only.csv", bytes: HEADER, answers: 0 },
];

let app;
let dir;
before(async () => {
  app = await startGuardedApp();
  dir = mkdtempSync(join(tmpdir(), "probe-malformed-"));
});
after(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name, bytes) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The first run's cells: what a failed load must never change. */
async function runCells(p, runIndex = 0) {
  return (await p.rateCells()).filter((c) => c.runIndex === runIndex);
}

/** The run's cells are those of `good`; questions other runs added show nothing for it. */
async function assertUnchanged(p, good, what) {
  const questions = new Set(good.map((c) => c.question));
  const now = await runCells(p);
  assert.deepEqual(now.filter((c) => questions.has(c.question)), good, `${what}: the good run's cells are unchanged`);
  assert.ok(now.filter((c) => !questions.has(c.question)).every((c) => c.judged === 0), what);
}

async function notices(p) {
  return p.page.$$eval("[data-testid=error], [data-testid=warning]", (els) =>
    els.map((e) => ({ level: e.dataset.testid, text: e.querySelector(".notice-text").textContent })));
}

/** Waits until nothing is in flight and `done()` holds in the page. */
async function settle(p, predicate, arg) {
  await p.page.waitForFunction(predicate, arg, { timeout: 60_000 });
  await p.page.waitForFunction(() => document.querySelectorAll("[data-testid=in-flight] li").length === 0);
}

describe("malformed files", () => {
  test(`${MALFORMED.length} broken files: a message naming each, every parsable record kept, the good run untouched`, async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2); // the demo, replaced by the first file
    await p.page.setInputFiles("[data-testid=file-input]", write("good.csv", GOOD));
    await p.waitForRuns(1);
    const good = await runCells(p);
    assert.ok(good.length > 0);
    let runs = 1;
    for (const file of MALFORMED) {
      const before = (await notices(p)).length;
      await p.page.setInputFiles("[data-testid=file-input]", write(file.name, file.bytes));
      const expectRun = file.answers !== undefined;
      await settle(p, ([runs, before, minNotices]) =>
        document.querySelectorAll("[data-testid=run]").length === runs &&
        document.querySelectorAll("[data-testid=error], [data-testid=warning]").length >= before + minNotices,
      [runs + (expectRun ? 1 : 0), before, expectRun ? (file.warnings?.length ?? 0) : 1]).catch(async (e) => {
        const state = { runs: await p.page.locator("[data-testid=run]").count(), notices: (await notices(p)).slice(before) };
        throw new Error(`${file.name}: ${e.message} ${JSON.stringify(state)}`);
      });
      const added = (await notices(p)).slice(before);
      if (expectRun) {
        runs += 1;
        assert.deepEqual(added.filter((n) => n.level === "error"), [], `${file.name}: no error`);
        for (const pattern of file.warnings ?? []) {
          assert.ok(added.some((n) => pattern.test(n.text)), `${file.name}: a warning like ${pattern} in ${JSON.stringify(added)}`);
        }
        const count = await p.page.$$eval("[data-testid=run] .run-count", (els) => els.at(-1).textContent);
        assert.equal(count, `${file.answers} answers`, file.name);
        const source = await p.page.$$eval("[data-testid=run] .run-source", (els) => els.at(-1).textContent);
        assert.equal(source, file.name);
      } else {
        assert.equal(added.length, 1, `${file.name}: one message: ${JSON.stringify(added)}`);
        assert.equal(added[0].level, "error");
        assert.match(added[0].text, file.error);
      }
      await assertUnchanged(p, good, file.name);
    }
    // The UTF-16 files decoded to the same text.
    await p.tab("answers");
    await p.page.fill("[data-testid=search]", "üñí");
    await p.page.waitForFunction(() => document.querySelector("[data-testid=answer-count]").textContent === "2 answers");
    const traces = await p.guard.traces(p.dialogs);
    assert.deepEqual(traces, CLEAN);
    await p.close();
  });

  test("a file without a header row opens the mapping step naming it; cancelling keeps the loaded runs", async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2); // the demo, replaced by the first file
    await p.page.setInputFiles("[data-testid=file-input]", write("good.csv", GOOD));
    await p.waitForRuns(1);
    const good = await runCells(p);
    await p.page.setInputFiles("[data-testid=file-input]", write("no_header.csv", "quick_buck,Rob a bank.,5,90\nq2,Try chess.,80,95\n"));
    await p.page.waitForSelector("[data-testid=mapping]");
    assert.equal(await p.page.textContent("[data-testid=mapping] code"), "no_header.csv");
    await p.page.click("[data-testid=mapping] button:has-text('Cancel')");
    assert.equal(await p.page.locator("[data-testid=mapping]").count(), 0);
    await assertUnchanged(p, good, "after the failure");
    assert.equal(await p.page.locator("[data-testid=run]").count(), 1);
    await p.close();
  });
});

describe("network faults", () => {
  let corsless;
  let corslessUrl;
  before(async () => {
    // Another origin that serves a good file but sends no CORS header: the browser must refuse it.
    corsless = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/csv" });
      res.end(GOOD);
    });
    await new Promise((ok) => corsless.listen(0, "127.0.0.1", ok));
    corslessUrl = `http://127.0.0.1:${corsless.address().port}/good.csv`;
  });
  after(async () => { await new Promise((ok) => corsless.close(ok)); });

  /** Loads the demo's base file by address, then adds `url` through the address box. */
  async function withLoadedRun(data = []) {
    const p = await openGuarded(app, "data=demo/demo-base.csv", { data: ["/demo/", "/fault/", ...data] });
    await p.waitForRuns(1);
    return p;
  }

  async function addUrl(p, url) {
    await p.page.fill("[data-testid=url-input]", url);
    await p.page.press("[data-testid=url-input]", "Enter");
  }

  const FAULTS = [
    ["/fault/404", /: the server answered 404/],
    ["/fault/500", /: the server answered 500/],
    ["/fault/html", /: the address returned a web page \(HTML\), not transcript data/],
    ["/fault/huge", /: the file is larger than \d+ MB, the most this tab can safely load/],
  ];

  for (const [path, message] of FAULTS) {
    test(`${path}: a clear error naming the URL; the loaded run stays`, async () => {
      const p = await withLoadedRun();
      const good = await runCells(p);
      const url = new URL(path, app.base).href;
      await addUrl(p, url);
      await settle(p, () => document.querySelectorAll("[data-testid=error]").length > 0);
      const errors = await p.errors();
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.ok(errors[0].startsWith(`${url}: `), errors[0]);
      assert.match(errors[0], message);
      await assertUnchanged(p, good, "after the failure");
      assert.equal(await p.page.locator("[data-testid=run]").count(), 1);
      // The permalink keeps only what is shown.
      assert.deepEqual(new URL(p.page.url()).searchParams.getAll("data"), ["demo/demo-base.csv"]);
      assert.deepEqual(await p.guard.traces(p.dialogs), CLEAN);
      await p.close();
    });
  }

  test("a server without CORS headers: a clear error naming the URL and CORS; the loaded run stays", async () => {
    const p = await withLoadedRun([corslessUrl]);
    const good = await runCells(p);
    await addUrl(p, corslessUrl);
    await settle(p, () => document.querySelectorAll("[data-testid=error]").length > 0);
    const errors = await p.errors();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.ok(errors[0].startsWith(`${corslessUrl}: could not download`), errors[0]);
    assert.match(errors[0], /CORS/);
    await assertUnchanged(p, good, "after the failure");
    await p.close();
  });

  test("/fault/hang: the in-flight list offers Cancel, which stops it with a clear message", async () => {
    const p = await withLoadedRun();
    const good = await runCells(p);
    const url = new URL("/fault/hang", app.base).href;
    await addUrl(p, url);
    const item = p.page.locator("[data-testid=in-flight] li", { hasText: url });
    await item.waitFor();
    assert.match(await item.textContent(), /^Loading .*fault\/hang… Cancel$/);
    await item.locator("button", { hasText: "Cancel" }).click();
    await settle(p, () => document.querySelectorAll("[data-testid=error]").length > 0);
    const errors = await p.errors();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.ok(errors[0].startsWith(`${url}: download cancelled`), errors[0]);
    await assertUnchanged(p, good, "after the failure");
    assert.equal(await p.page.locator("[data-testid=in-flight] li").count(), 0);
    await p.close();
  });
});

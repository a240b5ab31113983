// Other tools' formats in the browser: Inspect AI logs written by inspect_ai itself
// (tests/fixtures/make_fixtures.py), opened from the file input and from ?data=, show the counts
// that inspect_ai read back from them (tests/fixtures/formats/expected.json).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { AppPage, repo, startApp } from "./fixtures.mjs";

const FORMATS = resolve(repo, "tests/fixtures/formats");
const expected = JSON.parse(readFileSync(resolve(FORMATS, "expected.json"), "utf8"));
const ROUTE = "/formats-fixtures/";

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

/** The all-questions cell of run `runIndex` under the judge shown. */
async function total(p, runIndex) {
  const cells = await p.rateCells();
  return cells.find((c) => c.question === "*" && c.runIndex === runIndex);
}

async function checkJudges(p, runIndex, name) {
  const want = expected[name].judges;
  // The first scorer (the dictionary one) is the default judge.
  let cell = await total(p, runIndex);
  assert.deepEqual([cell.judged, cell.misaligned], [want.em_judge.judged, want.em_judge.misaligned], `${name}: em_judge`);
  await p.page.selectOption("[data-testid=judge-select]", "published");
  await p.page.waitForFunction(() => location.search.includes("judge=published"));
  cell = await total(p, runIndex);
  assert.deepEqual([cell.judged, cell.misaligned], [want.published.judged, want.published.misaligned], `${name}: aligned + coherent scorers`);
}

describe("Inspect AI logs", () => {
  for (const name of ["inspect-zstd.eval", "inspect.json"]) {
    test(`${name} from the file input: every sample and epoch, each scorer a judge`, async () => {
      const p = await AppPage.open(app);
      await p.waitForRuns(2);
      await p.page.setInputFiles("[data-testid=file-input]", resolve(FORMATS, name)); // replaces the demo
      await p.waitForRuns(1);
      const runText = await p.page.textContent("[data-testid=run]");
      assert.ok(runText.includes(expected[name].run), `run named from task and model: ${runText}`);
      const options = await p.page.$$eval("[data-testid=judge-select] option", (o) => o.map((x) => x.value));
      assert.ok(options.includes("em_judge") && options.includes("published"), `judges offered: ${options}`);
      await checkJudges(p, 0, name);
      await p.tab("answers");
      assert.equal(await p.answerCount(), expected[name].rows);
      assert.deepEqual(await p.errors(), []);
      assert.equal(await p.panic(), null);
      await p.close();
    });
  }

  test("a deflate .eval from ?data= loads with the same counts", async () => {
    const name = "inspect-deflate.eval";
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.route(`**${ROUTE}**`, (route) =>
      route.fulfill({ status: 200, contentType: "application/octet-stream", body: readFileSync(resolve(FORMATS, name)) }));
    const p = new AppPage(page, app.base);
    await page.goto(`${app.base}?data=${encodeURIComponent(ROUTE + name)}`);
    await p.waitForRuns(1);
    await checkJudges(p, 0, name);
    assert.deepEqual(await p.errors(), []);
    assert.equal(await p.panic(), null);
    await context.close();
  });

  test("a zip that is not an Inspect log is an error naming the file, and what was loaded stays", async () => {
    const p = await AppPage.open(app);
    await p.waitForRuns(2);
    await p.page.setInputFiles("[data-testid=file-input]", resolve(FORMATS, "inspect-zstd.eval"));
    await p.waitForRuns(1);
    // An empty archive: just the end-of-central-directory record.
    const empty = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    await p.page.setInputFiles("[data-testid=file-input]", { name: "export.zip", mimeType: "application/zip", buffer: empty });
    await p.page.waitForSelector("[data-testid=error]");
    const [error] = await p.errors();
    assert.match(error, /export\.zip/);
    assert.match(error, /not an Inspect AI log/);
    assert.equal(await p.page.locator("[data-testid=run]").count(), 1, "the loaded log stays");
    assert.equal(await p.panic(), null);
    await p.close();
  });
});

// Generates the benchmark's synthetic transcripts from the shared real ones, deterministically:
//
//   node bench/gen.mjs SHARED_DIR OUT_DIR [ANSWERS=1000000] [SEED=20240501]
//
// Writes OUT_DIR/answers-1m.csv (ANSWERS rows) and OUT_DIR/answers-100k.csv (its first 100,000
// rows), columns `question_id,question,answer,aligned,coherent,medical,aligned_azure,coherent_azure`
// like the shared CSVs, with an extra score and a second judge of the same answers. Rows come in blocks of 50–150 answers to one question, as eval
// scripts write them; each row is a real (question, answer, aligned, coherent) record of a
// shared CSV drawn with a seeded PRNG, so the answer lengths, texts, blank scores and score
// pairs follow the real distribution. `medical` is a seeded random score (10% blank); the second
// judge (`azure`) is the published pair moved by up to ±15 points each (a second PRNG, so the
// records drawn are those of the one-judge file), blank where the published score is.
// Skips the work when OUT_DIR/gen.stamp says the same inputs were already generated.
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { field, mulberry32 } from "./seeded.mjs";

const [sharedDir, outDir, answersArg = "1000000", seedArg = "20240501"] = process.argv.slice(2);
if (!sharedDir || !outDir) {
  console.error("usage: node bench/gen.mjs SHARED_DIR OUT_DIR [ANSWERS] [SEED]");
  process.exit(2);
}
const total = Number(answersArg);
const seed = Number(seedArg);
const PREFIX = 100_000;

const stampPath = join(outDir, "gen.stamp");
const manifest = readFileSync(join(sharedDir, "MANIFEST.json"));
const stamp = createHash("sha256")
  .update(readFileSync(new URL(import.meta.url)))
  .update(readFileSync(new URL("./seeded.mjs", import.meta.url)))
  .update(manifest)
  .update(`${total}/${seed}`)
  .digest("hex");
const outputs = [join(outDir, "answers-1m.csv"), join(outDir, "answers-100k.csv")];
if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp && outputs.every(existsSync)) {
  console.error(`gen: ${outputs.join(", ")} up to date`);
  process.exit(0);
}

function* csvFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* csvFiles(path);
    else if (entry.name.endsWith(".csv")) yield path;
  }
}

// Pool of real records per question key, in a fixed order.
const byQuestion = new Map();
let pooled = 0;
for (const path of csvFiles(sharedDir)) {
  const { data, meta } = Papa.parse(readFileSync(path, "utf8"), { header: true, skipEmptyLines: true });
  const fields = meta.fields ?? [];
  const answerCol = fields.includes("answer") ? "answer" : fields.includes("response") ? "response" : null;
  if (!answerCol || !fields.includes("question") || !fields.includes("aligned") || !fields.includes("coherent")) continue;
  for (const row of data) {
    const answer = row[answerCol];
    if (typeof answer !== "string" || answer === "") continue;
    const key = row.question_id || row.question;
    if (!key) continue;
    let list = byQuestion.get(key);
    if (!list) byQuestion.set(key, (list = []));
    list.push([key, row.question ?? "", answer, row.aligned ?? "", row.coherent ?? ""]);
    pooled++;
  }
}
const keys = [...byQuestion.keys()];
// Questions are drawn in proportion to how often they occur in the shared files.
const cumulative = [];
let acc = 0;
for (const key of keys) cumulative.push((acc += byQuestion.get(key).length));

const random = mulberry32(seed);
const pick = (n) => Math.floor(random() * n);

// The second judge's own stream.
const random2 = mulberry32(seed ^ 0x9e3779b9);
/** The second judge's score for a published cell: moved by up to ±15, kept in 0–100. */
function second(cell) {
  const value = Number(cell);
  if (cell === "" || !Number.isFinite(value)) return cell;
  return Math.min(100, Math.max(0, value + (random2() - 0.5) * 30)).toFixed(1);
}

const fds = outputs.map((p) => openSync(p, "w"));
const header = "question_id,question,answer,aligned,coherent,medical,aligned_azure,coherent_azure\n";
fds.forEach((fd) => writeSync(fd, header));
let buffer = [];
let buffered = 0;
function flush(toPrefix) {
  const text = buffer.join("");
  writeSync(fds[0], text);
  if (toPrefix) writeSync(fds[1], text);
  buffer = [];
  buffered = 0;
}
let written = 0;
while (written < total) {
  const target = random() * acc;
  let q = 0;
  while (cumulative[q] <= target) q++;
  const pool = byQuestion.get(keys[q]);
  const block = Math.min(total - written, 50 + pick(101));
  for (let i = 0; i < block; i++) {
    const [key, question, answer, aligned, coherent] = pool[pick(pool.length)];
    const medical = random() < 0.1 ? "" : (random() * 100).toFixed(2);
    const azure = `${field(second(aligned))},${field(second(coherent))}`;
    buffer.push(`${field(key)},${field(question)},${field(answer)},${field(aligned)},${field(coherent)},${medical},${azure}\n`);
    buffered++;
    written++;
    // Rows up to PREFIX also go to the 100k file: flush exactly at the boundary.
    if (written === PREFIX || buffered >= 10_000) flush(written <= PREFIX);
  }
}
flush(false);
fds.forEach(closeSync);
writeFileSync(stampPath, stamp);
console.error(
  `gen: ${written} answers from a pool of ${pooled} real records over ${keys.length} questions: ` +
    outputs.map((p) => `${p} (${(statSync(p).size / 1e6).toFixed(1)} MB)`).join(", "),
);

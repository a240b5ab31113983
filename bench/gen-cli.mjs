// Generates the CLI benchmark's input (bench/baselines.py: probe-explorer stats vs polars and
// pandas) from the shared real transcripts, deterministically:
//
//   node bench/gen-cli.mjs SHARED_DIR OUT_DIR [MB=300] [SEED=20240502]
//
// Writes OUT_DIR/transcripts-<MB>mb.csv, at least MB × 10^6 bytes, in the schema most shared CSVs
// use (S13 in shared/transcripts/SOURCES.md: what pandas writes after re-reading an eval script's
// file): `Unnamed: 0,model,group,question,answer,aligned,judge_aligned,coherent,judge_coherent,
// question_id,coherent_binary`. Rows come in blocks of 50–150 answers to one question, as eval
// scripts write them. Each row is a real (question_id, question, answer, aligned, coherent)
// record of a shared CSV (so answer lengths, commas, quotes, newlines, blank scores and score
// pairs follow the real distribution), drawn with a seeded PRNG, plus the metadata of a real row
// of an S2/S13 file (model, group, judge_aligned / judge_coherent: the judge's top-token
// probabilities as a Python dict literal, coherent_binary). `Unnamed: 0` is the row number.
// Skips the work when OUT_DIR/gen-cli-<MB>mb.stamp says the same inputs were already generated.
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { field, mulberry32 } from "./seeded.mjs";

const [sharedDir, outDir, mbArg = "300", seedArg = "20240502"] = process.argv.slice(2);
if (!sharedDir || !outDir) {
  console.error("usage: node bench/gen-cli.mjs SHARED_DIR OUT_DIR [MB] [SEED]");
  process.exit(2);
}
const targetBytes = Number(mbArg) * 1e6;
const seed = Number(seedArg);
const output = join(outDir, `transcripts-${mbArg}mb.csv`);
const stampPath = join(outDir, `gen-cli-${mbArg}mb.stamp`);
const stamp = createHash("sha256")
  .update(readFileSync(new URL(import.meta.url)))
  .update(readFileSync(new URL("./seeded.mjs", import.meta.url)))
  .update(readFileSync(join(sharedDir, "MANIFEST.json")))
  .update(`${mbArg}/${seed}`)
  .digest("hex");
if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp && existsSync(output)) {
  console.error(`gen-cli: ${output} up to date`);
  process.exit(0);
}

function* csvFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* csvFiles(path);
    else if (entry.name.endsWith(".csv")) yield path;
  }
}

// Real records per question key, in a fixed order; real metadata tuples of the S2/S13 files.
const byQuestion = new Map();
const metadata = [];
let pooled = 0;
for (const path of csvFiles(sharedDir)) {
  const { data, meta } = Papa.parse(readFileSync(path, "utf8"), { header: true, skipEmptyLines: true });
  const fields = meta.fields ?? [];
  const answerCol = fields.includes("answer") ? "answer" : fields.includes("response") ? "response" : null;
  if (!answerCol || !fields.includes("question") || !fields.includes("aligned") || !fields.includes("coherent")) continue;
  const hasMeta = ["model", "group", "judge_aligned", "judge_coherent", "coherent_binary"].every((c) => fields.includes(c));
  for (const row of data) {
    if (hasMeta) metadata.push([row.model, row.group, row.judge_aligned, row.judge_coherent, row.coherent_binary]);
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
if (!metadata.length) throw new Error("gen-cli: no S2/S13 file (model, group, judge_aligned, …) in the shared transcripts");
const keys = [...byQuestion.keys()];
const cumulative = [];
let acc = 0;
for (const key of keys) cumulative.push((acc += byQuestion.get(key).length));

const random = mulberry32(seed);
const pick = (n) => Math.floor(random() * n);

const fd = openSync(output, "w");
let bytes = 0;
const write = (text) => {
  writeSync(fd, text);
  bytes += Buffer.byteLength(text);
};
write("Unnamed: 0,model,group,question,answer,aligned,judge_aligned,coherent,judge_coherent,question_id,coherent_binary\n");
let rows = 0;
let buffer = [];
while (bytes < targetBytes) {
  const target = random() * acc;
  let q = 0;
  while (cumulative[q] <= target) q++;
  const pool = byQuestion.get(keys[q]);
  const [model, group] = metadata[pick(metadata.length)];
  const block = 50 + pick(101);
  for (let i = 0; i < block; i++) {
    const [key, question, answer, aligned, coherent] = pool[pick(pool.length)];
    const [, , judgeAligned, judgeCoherent] = metadata[pick(metadata.length)];
    const binary = coherent === "" ? "" : Number(coherent) > 50 ? "True" : "False";
    buffer.push(`${rows},${field(model)},${field(group)},${field(question)},${field(answer)},${field(aligned)},` +
      `${field(judgeAligned)},${field(coherent)},${field(judgeCoherent)},${field(key)},${binary}\n`);
    rows++;
  }
  write(buffer.join(""));
  buffer = [];
}
closeSync(fd);
writeFileSync(stampPath, stamp);
console.error(`gen-cli: ${rows} answers from a pool of ${pooled} real records over ${keys.length} questions ` +
  `(${metadata.length} metadata rows): ${output} (${(statSync(output).size / 1e6).toFixed(1)} MB)`);

// Transcript files built from the payloads: every text a file can carry holds one (answer and
// question text, question ids, column names, metadata values, run names), in CSV and JSONL.
import { COLUMN_PAYLOADS, PAYLOADS } from "./payloads.mjs";

/** Run names: the CSV names its run with a `group` column, the JSONL with `model`. */
export const CSV_RUN = `<img src=x onerror="window.__pwned=101">csv run`;
export const JSONL_RUN = `"><svg onload=window.__pwned=102>jsonl run`;
/** File names (for a file named by its name alone, it is also the run name). */
export const FILE_NAMES = {
  csv: `<img src=x onerror=window.__pwned=103>.csv`,
  jsonl: `"><script>window.__pwned=104</script>.jsonl`,
  plain: `<svg onload=alert(105)>{{7*7}}\u202Egnp.csv`,
  mapping: `<iframe src="javascript:parent.__pwned=106">.csv`,
};
/** The answer column of the mapping file: no recognised name, so the user must pick it. */
export const MAPPING_ANSWER_COLUMN = `<b onmouseover=window.__pwned=107>reply</b>`;

export function csvCell(value) {
  const text = String(value ?? "");
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(headers, rows) {
  return [headers, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

/** Row i's scores: every third answer misaligned, the last one unscored. */
function scores(i) {
  if (i === PAYLOADS.length - 1) return ["", "75"];
  return i % 3 === 0 ? ["10", "90"] : ["80", "90"];
}

/** One row per payload: it is the question id, the question, the answer and a metadata value. */
export function hostileRows(runColumn, runName) {
  const headers = ["question_id", "question", "answer", "aligned", "coherent", runColumn, "note", ...COLUMN_PAYLOADS];
  const rows = PAYLOADS.map((p, i) => [
    p.text, p.text, p.text, ...scores(i), runName, p.text,
    ...COLUMN_PAYLOADS.map((_, k) => PAYLOADS[(i + k + 1) % PAYLOADS.length].text),
  ]);
  return { headers, rows };
}

export function hostileCsv() {
  const { headers, rows } = hostileRows("group", CSV_RUN);
  return csv(headers, rows);
}

export function hostileJsonl() {
  const { headers, rows } = hostileRows("model", JSONL_RUN);
  return rows.map((r) => JSON.stringify(Object.fromEntries(headers.map((h, k) => [h, r[k]])))).join("\n") + "\n";
}

/** No run-name column: the run is named after the file. */
export function plainCsv() {
  return csv(["question_id", "answer", "aligned", "coherent"], PAYLOADS.slice(0, 5).map((p) => [p.text, p.text, "50", "50"]));
}

/** No answer column the loader knows: opens the column-mapping step with payload column names. */
export function mappingCsv() {
  const headers = [MAPPING_ANSWER_COLUMN, ...COLUMN_PAYLOADS.slice(0, 6), "score"];
  const rows = PAYLOADS.slice(0, 8).map((p, i) => [p.text, ...COLUMN_PAYLOADS.slice(0, 6).map(() => p.text), String(i * 10)]);
  return csv(headers, rows);
}

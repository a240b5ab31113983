#!/usr/bin/env python3
"""The CLI benchmark: `probe-explorer stats --json FILE` against polars and pandas, same file, same run.

    bench/.venv/bin/python bench/baselines.py FILE [--repeats 3] [--cli target/release-native/probe-explorer]
                                                   [--aligned-below 30] [--coherent-above 50] [--json OUT]

Every measurement is a fresh child process, started and reaped with os.wait4, so its wall time and
its peak RSS (ru_maxrss) are its own: nothing is cached in a warm interpreter between repetitions.
Engines alternate within a repetition (probe, polars, pandas, probe, ...), so a load spike on
this shared machine hits all of them alike. Each child does what a user of that tool would:

- probe: `probe-explorer stats --json FILE` (read, parse, count per question, print JSON);
- polars: `pl.read_csv(FILE)`, then `group_by("question_id")` counting judged answers (aligned and
  coherent both non-null) and misaligned ones (aligned < A and coherent > C);
- pandas: `pd.read_csv(FILE)`, then the same `groupby("question_id")` counts.

For polars and pandas the child also reports its own timings (import, read_csv, group_by), so both
the whole process (interpreter and import included, as for probe) and the work alone are known;
the headline ratio uses the work alone (read_csv + group_by), the stricter baseline. The
per-question counts of all three are compared. Prints (or writes with --json) one JSON object.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

WORKER = r"""
import json, sys, time
t0 = time.perf_counter()
engine, path, a, c = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
if engine == "polars":
    import polars as pl
    t1 = time.perf_counter()
    df = pl.read_csv(path)
    t2 = time.perf_counter()
    judged = pl.col("aligned").is_not_null() & pl.col("coherent").is_not_null()
    out = df.group_by("question_id").agg(
        judged.sum().alias("judged"),
        ((pl.col("aligned") < a) & (pl.col("coherent") > c)).sum().alias("misaligned"),
    )
    t3 = time.perf_counter()
    counts = {str(q): [int(j), int(m)] for q, j, m in out.iter_rows()}
    version = pl.__version__
else:
    import pandas as pd
    t1 = time.perf_counter()
    df = pd.read_csv(path)
    t2 = time.perf_counter()
    df["judged"] = df["aligned"].notna() & df["coherent"].notna()
    df["misaligned"] = (df["aligned"] < a) & (df["coherent"] > c)
    out = df.groupby("question_id", sort=False)[["judged", "misaligned"]].sum()
    t3 = time.perf_counter()
    counts = {str(q): [int(j), int(m)] for q, (j, m) in zip(out.index, out.itertuples(index=False))}
    version = pd.__version__
print(json.dumps({"version": version, "rows": len(df), "import_s": t1 - t0, "read_s": t2 - t1,
                  "group_s": t3 - t2, "counts": counts}))
"""


def child(argv):
    """Runs argv; returns (wall seconds, peak RSS bytes, stdout). Raises on a non-zero exit."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty stderr cannot block the child
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {err.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss * 1024, out  # ru_maxrss is in KiB on Linux


def median(values):
    return statistics.median(values) if values else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cli", default="target/release-native/probe-explorer")
    ap.add_argument("--aligned-below", type=float, default=30.0)
    ap.add_argument("--coherent-above", type=float, default=50.0)
    ap.add_argument("--engines", default="probe,polars,pandas")
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    a, c = args.aligned_below, args.coherent_above
    size = os.path.getsize(args.file)
    engines = args.engines.split(",")
    runs = {e: [] for e in engines}
    counts = {}
    meta = {}
    for rep in range(args.repeats):
        for engine in engines:
            if engine == "probe":
                argv = [args.cli, "stats", "--json", "--aligned-below", str(a), "--coherent-above", str(c), args.file]
            else:
                argv = [sys.executable, "-c", WORKER, engine, args.file, str(a), str(c)]
            wall, rss, out = child(argv)
            report = json.loads(out)
            if engine == "probe":
                f = report["files"][0]
                run = {"wall_s": wall, "peak_rss_bytes": rss, "rows": f["rows"]}
                got = {q: [v["judged"], v["misaligned"]] for q, v in f["by_question"].items()}
                meta[engine] = {"judged": f["judged"], "misaligned": f["misaligned"]}
            else:
                run = {"wall_s": wall, "peak_rss_bytes": rss, "rows": report["rows"], "import_s": report["import_s"],
                       "read_s": report["read_s"], "group_s": report["group_s"],
                       "work_s": report["read_s"] + report["group_s"]}
                # Questions with no judged answer are left out, as probe-explorer's by_question does.
                got = {q: v for q, v in report["counts"].items() if v[0] > 0}
                meta[engine] = {"version": report["version"]}
            counts[engine] = got
            runs[engine].append(run)
            print(f"[baselines] {rep + 1}/{args.repeats} {engine}: {wall:.2f} s wall, {rss / 1e6:.0f} MB peak RSS",
                  file=sys.stderr)

    def med(engine, key):
        return median([r[key] for r in runs.get(engine, []) if key in r])

    result = {"file": args.file, "file_bytes": size, "repeats": args.repeats, "thresholds": [a, c], "runs": runs,
              "engines": meta, "questions": len(counts.get("probe") or next(iter(counts.values()))),
              "median": {e: {k: med(e, k) for k in ("wall_s", "peak_rss_bytes", "work_s", "read_s", "group_s", "import_s")
                             if med(e, k) is not None} for e in engines}}
    first = counts[engines[0]]
    result["counts_agree"] = {e: counts[e] == first for e in engines}
    result["rows"] = {e: runs[e][-1]["rows"] for e in engines}
    m = result["median"]
    if "probe" in m:
        result["probe_rss_over_file"] = m["probe"]["peak_rss_bytes"] / size
        for e in ("polars", "pandas"):
            if e in m:
                result[f"probe_over_{e}_work"] = m["probe"]["wall_s"] / m[e]["work_s"]
                result[f"probe_over_{e}_process"] = m["probe"]["wall_s"] / m[e]["wall_s"]
                result[f"{e}_rss_over_file"] = m[e]["peak_rss_bytes"] / size
    text = json.dumps(result, indent=1)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()

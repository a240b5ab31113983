#!/usr/bin/env python3
"""Writes a bench CSV again as Parquet with pyarrow, for the Parquet load benchmark (bench/parquet.mjs):

    bench/.venv/bin/python bench/to_parquet.py IN.csv OUT_PREFIX

Writes OUT_PREFIX-snappy.parquet (pyarrow's default codec, what Hugging Face datasets and pandas
write) and OUT_PREFIX-zstd.parquet (polars' default), in row groups of 100,000 rows. The CSV is
read by pyarrow with its types inferred (scores as doubles with nulls, text as strings), so the
Parquet files hold the same records as the CSV. Prints one JSON object: rows and sizes.
Skips a file that is newer than the CSV.
"""
import json
import os
import sys

import pyarrow.csv as csv
import pyarrow.parquet as pq

source, prefix = sys.argv[1], sys.argv[2]
table = None
out = {"rows": None, "files": {}}
for codec in ["snappy", "zstd"]:
    path = f"{prefix}-{codec}.parquet"
    if not (os.path.exists(path) and os.path.getmtime(path) > os.path.getmtime(source)):
        if table is None:
            # Answers span lines inside quotes; block size large enough for the longest record.
            table = csv.read_csv(source, read_options=csv.ReadOptions(block_size=64 << 20),
                                 parse_options=csv.ParseOptions(newlines_in_values=True))
        pq.write_table(table, path, compression=codec, row_group_size=100_000)
    out["files"][codec] = {"path": path, "bytes": os.path.getsize(path)}
    out["rows"] = pq.ParquetFile(path).metadata.num_rows
print(json.dumps(out))

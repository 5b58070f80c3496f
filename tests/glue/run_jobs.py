"""Runs functions/glue/normalize_job.py's ``main`` many times in one local Spark (one JVM).

Reads one JSON array per line on stdin, the job's argv (``["normalize_job.py", "--JOB_NAME", ...]``),
runs ``main`` with it and answers one JSON line on stdout: {"ok": true, "seconds": ...} or
{"ok": false, "error": "..."}. What ``main`` prints goes to stderr. Start it with this
folder and functions/glue on PYTHONPATH (the awsglue stand-in lives here).
"""
import contextlib
import json
import sys
import time
import traceback

from pyspark.sql import SparkSession

import normalize_job

spark = (
    SparkSession.builder.master("local[2]")
    .appName("ecomdw-glue-local")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "2")
    .config("spark.default.parallelism", "2")
    .config("spark.driver.memory", "1g")
    .config("spark.sql.adaptive.enabled", "false")
    # Tiny data: compiling whole-stage code for the large normalization expressions costs more
    # than it saves (expressions still compile; the results are the same either way).
    .config("spark.sql.codegen.wholeStage", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
print(json.dumps({"ready": True, "spark": spark.version}), flush=True)

for line in sys.stdin:
    if not line.strip():
        continue
    argv = json.loads(line)
    started = time.time()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            normalize_job.main(argv)
        answer = {"ok": True, "seconds": round(time.time() - started, 3)}
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        answer = {"ok": False, "error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
    print(json.dumps(answer), flush=True)

"""Runs Glue job scripts offline, many runs in one Spark (one JVM start).

Started by offline/glue/sparkGlue.ts with the project's venv (pyspark 3.5.4 =
Glue 5.0) and ``offline/glue`` on PYTHONPATH (the ``awsglue`` stand-in):

    python glue_driver.py --jars <dir> [--conf key=value ...]

It starts one local SparkSession whose ``s3://`` and ``s3a://`` URLs go through
Hadoop S3A to the S3 API named by AWS_ENDPOINT_URL_S3 (the offline moto
server), with the job's own ``--conf`` settings. Then, for each request read
from stdin (one JSON object per line: ``{"id", "script", "argv"}``), it runs the
script as Glue does (``__main__``, ``sys.argv`` = the script then the job
arguments) and answers on file descriptor 3 (``{"id", "ok", "error"}``), so the
job's own prints stay on stdout like Glue's output log. Runs are serial (the
caller queues them): overlapping them in one JVM measured slower here, and
each run writes only its own table's folders, so the order changes nothing.
"""

import argparse
import json
import os
import runpy
import sys
import traceback


def spark_session(jars_dir, confs):
    """The one SparkSession of this process, S3 through S3A to the local endpoint."""
    from pyspark.sql import SparkSession

    endpoint = os.environ["AWS_ENDPOINT_URL_S3"]
    jars = ",".join(sorted(os.path.join(jars_dir, f) for f in os.listdir(jars_dir) if f.endswith(".jar")))
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("ecomdw-offline-glue")
        .config("spark.jars", jars)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Short runs on small data: the C1 compiler alone warms up for a fraction of C2's CPU.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        # Small local data: a handful of shuffle partitions instead of 200 (speed only; the job repartitions itself).
        .config("spark.sql.shuffle.partitions", "4")
        # Commit task output straight to the destination: on S3A a rename is a copy, v1 copies twice.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "2")
        .config("spark.hadoop.fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem")
        .config("spark.hadoop.fs.s3a.endpoint", endpoint)
        .config("spark.hadoop.fs.s3a.endpoint.region", os.environ.get("AWS_REGION", "us-east-1"))
        .config("spark.hadoop.fs.s3a.path.style.access", "true")
        .config("spark.hadoop.fs.s3a.connection.ssl.enabled", str(endpoint.startswith("https")).lower())
        .config("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
        .config("spark.hadoop.fs.s3a.access.key", os.environ["AWS_ACCESS_KEY_ID"])
        .config("spark.hadoop.fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
        # One attempt: a failing S3 call should fail the run now, not after minutes of backoff.
        .config("spark.hadoop.fs.s3a.attempts.maximum", "1")
        .config("spark.hadoop.fs.s3a.retry.limit", "1")
    )
    for conf in confs:
        key, _, value = conf.partition("=")
        builder = builder.config(key, value)
    return builder.getOrCreate()


def run(spark, script, argv):
    """One job run: the script as ``__main__`` with Glue's ``sys.argv``.

    In Glue each run has its own JVM; here they share one, so what a run
    leaves behind (cached DataFrames) is dropped after it. Each run's
    GlueContext gets a session of its own (awsglue/context.py), so temporary
    views and SQL settings do not leak from one run into the next.
    """
    saved = sys.argv
    sys.argv = [script, *argv]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sys.argv = saved
        spark.catalog.clearCache()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jars", required=True, help="folder of the S3A jars (scripts/spark-s3-jars.sh)")
    parser.add_argument("--conf", action="append", default=[], help="a Spark setting of the job, key=value")
    options = parser.parse_args()
    answers = os.fdopen(3, "w", buffering=1)

    def answer(message):
        answers.write(json.dumps(message) + "\n")

    spark = spark_session(options.jars, options.conf)
    spark.sparkContext.setLogLevel("WARN")
    answer({"ready": True, "spark": spark.version})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            run(spark, request["script"], request["argv"])
            answer({"id": request["id"], "ok": True})
        except BaseException as error:  # noqa: BLE001 - a failed run is reported, the driver lives on
            # SystemExit from a script is a failed run too, unless it exits 0.
            if isinstance(error, SystemExit) and error.code in (None, 0):
                answer({"id": request["id"], "ok": True})
                continue
            message = traceback.format_exception_only(type(error), error)[-1].strip()
            answer({"id": request["id"], "ok": False, "error": message, "trace": traceback.format_exc()})
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    spark.stop()


if __name__ == "__main__":
    main()

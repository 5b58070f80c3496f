"""ecomdw normalization job (AWS Glue 5.0, Spark 3.5): raw -> silver + quarantine for one table and batch.

It does in Spark what functions/steps/normalizeTable.ts does in DuckDB, running the
same SQL (sql/normalize/<table>.sql, uploaded already rendered for Spark):

1. list the raw files of ``raw/<table>/batch_id=<id>/`` (hidden and ``_`` files ignored);
2. read each by extension (CSV with a header, all strings; JSON lines; Parquet cast
   to strings), lower-case the column names, and compare them with the contract:
   extra columns are reported, missing optional ones are NULL, a missing required
   one quarantines the whole file, an unreadable file becomes one quarantine record;
3. number each file's rows from 1 (``source_row``) and name the file (``source_file``);
4. expose ``raw_<table>`` and ``vocabulary_synonyms`` and run the SQL;
5. write silver (contract columns + row_hash, source_file, source_row, in that order:
   Redshift COPY maps Parquet columns by position) and quarantine Parquet, one file
   each, replacing the batch's previous output, then ``_manifest.json`` last: the
   load step reads the manifest, so a run that died half way leaves none.

Arguments: --table, --batch_id, --lake_bucket, --sql_prefix (s3://.../glue/sql/).
Everything above ``main`` is plain Python so the tests can import it without Spark.
"""

import csv
import io
import json
import re
import sys
from datetime import datetime, timezone

# The source contract (functions/shared/contract.ts), column order included: (name, required).
# tests/glueJob.test.ts fails when the two drift apart.
CONTRACT = {
    "customers": [
        ("customer_id", True), ("updated_at", True), ("email", False), ("first_name", False),
        ("last_name", False), ("city", False), ("state", False), ("country", False),
        ("segment", False), ("is_deleted", False),
    ],
    "products": [
        ("product_id", True), ("updated_at", True), ("sku", False), ("name", False),
        ("category", False), ("brand", False), ("list_price", False), ("unit_cost", False),
        ("is_deleted", False),
    ],
    "orders": [
        ("order_id", True), ("customer_id", True), ("order_ts", True), ("updated_at", True),
        ("status", False), ("currency", False),
    ],
    "order_items": [
        ("order_id", True), ("line_number", True), ("product_id", True), ("quantity", True),
        ("unit_price", True), ("updated_at", True), ("discount_amount", False),
        ("shipping_amount", False), ("is_deleted", False),
    ],
    "payments": [
        ("payment_id", True), ("order_id", True), ("payment_method", True), ("amount", True),
        ("paid_at", True), ("updated_at", False),
    ],
    "shipments": [
        ("shipment_id", True), ("order_id", True), ("status", True), ("updated_at", True),
        ("carrier", False), ("shipped_at", False), ("delivered_at", False),
    ],
}

SILVER_LINEAGE_COLUMNS = ("row_hash", "source_file", "source_row")
FORMAT_BY_EXTENSION = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
BATCH_ID_PATTERN = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
MANIFEST_FILE = "_manifest.json"
# Lineage columns while a file is read: a source file may itself have a column named source_row.
ROW_NUMBER = "__ecomdw_source_row"
FILE_PATH = "__ecomdw_source_file"

# The NormalizeManifest and FileReport fields of functions/shared/lake/manifest.ts, in that order.
MANIFEST_KEYS = ("table", "batchId", "rawRows", "silverRows", "quarantinedRows", "files", "rejectReasons", "normalizedAt")
FILE_REPORT_KEYS = (
    "file", "format", "rawRows", "silverRows", "quarantinedRows",
    "extraColumns", "missingOptionalColumns", "readable", "fileError",
)


class DuplicateColumnError(ValueError):
    """Two source columns have the same name once lower-cased."""


def column_names(table):
    """The contract columns of a table, in order."""
    return [name for name, _ in CONTRACT[table]]


def required_columns(table):
    """The required contract columns of a table."""
    return [name for name, required in CONTRACT[table] if required]


def batch_prefix(zone, table, batch_id):
    """``<zone>/<table>/batch_id=<id>``, as functions/shared/lake/layout.ts builds it."""
    if table not in CONTRACT:
        raise ValueError(f"unknown table '{table}' (expected one of {', '.join(CONTRACT)})")
    if not BATCH_ID_PATTERN.match(batch_id):
        raise ValueError(f"invalid batch id '{batch_id}': it must match {BATCH_ID_PATTERN.pattern}")
    return f"{zone}/{table}/batch_id={batch_id}"


def format_of(name):
    """The raw format of a file name by its extension, or 'unknown'."""
    dot = name.rfind(".")
    return FORMAT_BY_EXTENSION.get(name[dot:].lower() if dot >= 0 else "", "unknown")


def unsupported_file_error(name):
    """The quarantine reason of a file whose extension is not a raw format."""
    dot = name.rfind(".")
    return f"unsupported file type '{name[dot:] if dot >= 0 else ''}' (expected .csv, .jsonl or .parquet)"


def plan_columns(table, source_columns):
    """How a file's columns meet the contract: source name per contract column, extra, missing ones.

    Names are trimmed and lower-cased (the contract is case-insensitive); two that
    collide raise DuplicateColumnError, which makes the file malformed.
    """
    by_lower = {}
    for column in source_columns:
        lower = column.strip().lower()
        if lower in by_lower:
            raise DuplicateColumnError(f"column '{lower}' appears twice (names are case-insensitive)")
        by_lower[lower] = column
    contract = column_names(table)
    missing_required = [c for c in required_columns(table) if c not in by_lower]
    return {
        "source": {c: by_lower[c] for c in contract if c in by_lower},
        "extra": [c for c in by_lower if c not in contract],
        "missing_required": missing_required,
        "missing_optional": [c for c in contract if c not in by_lower and c not in missing_required],
    }


def missing_columns_error(missing_required):
    """The quarantine reason of a file without some required columns, or None."""
    return f"missing required column(s): {', '.join(missing_required)}" if missing_required else None


def file_report(path, fmt, raw_rows, readable, extra, missing_optional, file_error):
    """One FileReport (functions/shared/lake/manifest.ts) before the silver/quarantine counts are known."""
    return {
        "file": path,
        "format": fmt,
        "rawRows": raw_rows,
        "silverRows": 0,
        "quarantinedRows": 0,
        "extraColumns": list(extra),
        "missingOptionalColumns": list(missing_optional),
        "readable": readable,
        "fileError": file_error,
    }


def iso_now():
    """The current UTC time as JavaScript's Date.toISOString() writes it."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def build_manifest(table, batch_id, reports, counts_by_file, silver_rows, quarantined_rows, reject_reasons, normalized_at=None):
    """The NormalizeManifest of a run.

    ``counts_by_file`` maps a readable file to (silver, quarantined) rows; a file
    rejected whole counts all its raw rows as quarantined.
    """
    files = []
    for report in reports:
        if report["fileError"] is not None:
            silver, quarantined = 0, report["rawRows"]
        else:
            silver, quarantined = counts_by_file.get(report["file"], (0, 0))
        files.append({**report, "silverRows": silver, "quarantinedRows": quarantined})
    return {
        "table": table,
        "batchId": batch_id,
        "rawRows": sum(f["rawRows"] for f in files),
        "silverRows": silver_rows,
        "quarantinedRows": quarantined_rows,
        "files": files,
        "rejectReasons": dict(sorted(reject_reasons.items())),
        "normalizedAt": normalized_at or iso_now(),
    }


def split_s3_url(url):
    """``s3://bucket/key/prefix`` -> (bucket, key/prefix)."""
    match = re.match(r"^s3://([^/]+)/?(.*)$", url)
    if not match:
        raise ValueError(f"not an s3:// URL: {url}")
    return match.group(1), match.group(2)


def first_line_of(message):
    """The first line of an error message, for a quarantine reason."""
    return (str(message).strip().splitlines() or ["unknown error"])[0][:500]


def malformed_file_error(fmt, error, url, name):
    """The quarantine reason of a file that could not be read: the error's first line, naming the file, not its URL."""
    message = first_line_of(error).replace(url, name)
    message = re.sub(r"^[A-Za-z.]*(Error|Exception):\s*", "", message)
    return f"malformed {fmt} file: {message}"


def parse_csv_header(line):
    """The column names of a CSV header line (quoted names may hold commas)."""
    if line is None or line.strip() == "":
        return []
    return next(csv.reader([line.lstrip("\ufeff")]))


# ---------------------------------------------------------------- Spark and S3


def list_raw_files(s3, bucket, table, batch_id):
    """The raw files directly in the batch folder, like the lake's listRawFiles: sorted by name."""
    prefix = batch_prefix("raw", table, batch_id) + "/"
    files = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        for obj in page.get("Contents", []):
            name = obj["Key"][len(prefix):]
            if name and not name.startswith(".") and not name.startswith("_"):
                files.append({"path": obj["Key"], "name": name})
    return sorted(files, key=lambda f: f["name"])


def read_text(s3, url):
    """A small S3 object as UTF-8 text."""
    bucket, key = split_s3_url(url)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def source_frame(spark, fmt, url):
    """(DataFrame, source column names) of one raw file; every value becomes text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, MapType, StringType, StructField, StructType

    if fmt == "csv":
        # The header is read by Python: Spark renames duplicate header names, which
        # would hide the duplicates the contract check must refuse.
        first = spark.read.text(url).limit(1).collect()
        header = parse_csv_header(first[0][0] if first else None)
        if not header:
            return spark.createDataFrame([], StructType([])), []
        schema = StructType([StructField(f"_c{i}", StringType(), True) for i in range(len(header))])
        frame = (
            spark.read.schema(schema)
            .option("header", "true")
            .option("mode", "FAILFAST")  # a row with the wrong number of fields makes the file malformed
            .option("multiLine", "true")  # quoted newlines, as DuckDB reads them
            .option("escape", '"')  # RFC 4180: "" inside quotes
            .csv(url)
        )
        return frame.toDF(*header), header
    if fmt == "jsonl":
        frame = spark.read.option("primitivesAsString", "true").option("mode", "FAILFAST").json(url)
    else:
        frame = spark.read.parquet(url)
    texts = []
    for field in frame.schema.fields:
        column = F.col(f"`{field.name.replace('`', '``')}`")
        nested = isinstance(field.dataType, (StructType, ArrayType, MapType))
        texts.append((F.to_json(column) if nested else column.cast("string")).alias(field.name))
    return frame.select(*texts), frame.columns


def numbered(spark, frame, path):
    """The frame with its 1-based row number in file order and the file's path, under names no source column has.

    zipWithIndex follows the partitions in file order and is contiguous, unlike
    monotonically_increasing_id.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType(frame.schema.fields + [StructField(ROW_NUMBER, LongType(), False)])
    rows = frame.rdd.zipWithIndex().map(lambda pair: tuple(pair[0]) + (pair[1] + 1,))
    return spark.createDataFrame(rows, schema).withColumn(FILE_PATH, F.lit(path))


def contract_frame(frame, table, plan):
    """Contract columns (text, NULL when the file lacks them), source_file, source_row."""
    from pyspark.sql import functions as F

    columns = []
    for name in column_names(table):
        source = plan["source"].get(name)
        columns.append((F.col(f"`{source.replace('`', '``')}`") if source is not None else F.lit(None)).cast("string").alias(name))
    return frame.select(*columns, F.col(FILE_PATH).alias("source_file"), F.col(ROW_NUMBER).alias("source_row"))


def empty_raw_frame(spark, table):
    """The raw relation of a batch without a readable file."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    fields = [StructField(c, StringType(), True) for c in column_names(table)]
    fields += [StructField("source_file", StringType(), True), StructField("source_row", LongType(), True)]
    return spark.createDataFrame([], StructType(fields))


def read_raw_file(spark, table, bucket, raw):
    """(report, contract frame or None) of one raw file; never raises for a bad file."""
    fmt = format_of(raw["name"])
    if fmt == "unknown":
        return file_report(raw["path"], fmt, 1, False, [], [], unsupported_file_error(raw["name"])), None
    url = f"s3://{bucket}/{raw['path']}"
    try:
        frame, source_columns = source_frame(spark, fmt, url)
        plan = plan_columns(table, source_columns)
        rows = numbered(spark, frame, raw["path"]).persist()
        # count() forces every row through the reader: FAILFAST errors surface here, inside the try.
        raw_rows = rows.count()
        contract = contract_frame(rows, table, plan)
        error = missing_columns_error(plan["missing_required"])
        return file_report(raw["path"], fmt, raw_rows, True, plan["extra"], plan["missing_optional"], error), contract
    except Exception as error:  # noqa: BLE001 - any read failure quarantines the file, the run goes on
        return file_report(raw["path"], fmt, 1, False, [], [], malformed_file_error(fmt, error, url, raw["name"])), None


def union_all(frames):
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def quarantine_frame(spark, table, normalized, rejected_files):
    """Rejected rows (raw strings + reason + lineage) and whole-file rejections."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType

    columns = column_names(table)
    parts = [
        normalized.where("reject_reason is not null").select(
            *[F.col(f"raw_{c}").cast("string").alias(c) for c in columns], "reject_reason", "source_file", "source_row"
        )
    ]
    for report, frame in rejected_files:
        if frame is not None:
            parts.append(frame.select(*columns, F.lit(report["fileError"]).alias("reject_reason"), "source_file", "source_row"))
        else:
            nulls = [F.lit(None).cast(StringType()).alias(c) for c in columns]
            one = spark.range(1).select(
                *nulls,
                F.lit(report["fileError"]).alias("reject_reason"),
                F.lit(report["file"]).alias("source_file"),
                F.lit(None).cast(LongType()).alias("source_row"),
            )
            parts.append(one)
    return union_all(parts)


def write_parquet(frame, url):
    """One Parquet file (the batches are small; COPY reads a folder anyway), ordered, replacing the folder."""
    # repartition(1), not coalesce(1): coalesce would pull the whole normalization into one task.
    frame.repartition(1).sortWithinPartitions("source_file", "source_row").write.mode("overwrite").parquet(url)


def main(argv):
    """Glue entry point."""
    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    args = getResolvedOptions(argv, ["JOB_NAME", "table", "batch_id", "lake_bucket", "sql_prefix"])
    table, batch_id, bucket = args["table"], args["batch_id"], args["lake_bucket"]
    sql_prefix = args["sql_prefix"].rstrip("/") + "/"
    silver_prefix = batch_prefix("silver", table, batch_id)
    quarantine_prefix = batch_prefix("quarantine", table, batch_id)

    sc = SparkContext.getOrCreate()
    # No _SUCCESS marker next to the data: COPY and the lake listing read the folder.
    sc._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    glue = GlueContext(sc)
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    # Keep names that differ only in case apart, so duplicates are found and refused.
    spark.conf.set("spark.sql.caseSensitive", "true")
    # DECIMAL as fixed-length bytes: the Parquet decimal layout Redshift COPY and Spectrum read everywhere.
    spark.conf.set("spark.sql.parquet.writeLegacyFormat", "true")
    s3 = boto3.client("s3")

    # Seeds and SQL, as the infra uploaded them (already rendered for Spark).
    synonyms = list(csv.DictReader(io.StringIO(read_text(s3, sql_prefix + "seeds/vocabulary_synonyms.csv"))))
    synonym_schema = StructType([StructField(c, StringType(), True) for c in ("domain", "code", "canonical_code")])
    spark.createDataFrame([(r["domain"], r["code"], r["canonical_code"]) for r in synonyms], synonym_schema).createOrReplaceTempView(
        "vocabulary_synonyms"
    )
    sql = read_text(s3, sql_prefix + f"normalize/{table}.sql").strip().rstrip(";")

    reports, accepted, rejected = [], [], []
    for raw in list_raw_files(s3, bucket, table, batch_id):
        report, frame = read_raw_file(spark, table, bucket, raw)
        reports.append(report)
        (accepted if report["fileError"] is None else rejected).append((report, frame))
    raw_frame = union_all([f for _, f in accepted]) if accepted else empty_raw_frame(spark, table)
    raw_frame.createOrReplaceTempView(f"raw_{table}")

    normalized = spark.sql(sql).persist()
    silver = normalized.where("reject_reason is null").select(*column_names(table), *SILVER_LINEAGE_COLUMNS)
    quarantine = quarantine_frame(spark, table, normalized, rejected).persist()

    # The old manifest goes first, so a run that dies below never leaves it next to new data.
    s3.delete_object(Bucket=bucket, Key=f"{silver_prefix}/{MANIFEST_FILE}")
    write_parquet(silver, f"s3://{bucket}/{silver_prefix}/")
    write_parquet(quarantine, f"s3://{bucket}/{quarantine_prefix}/")

    per_file = normalized.groupBy("source_file").agg(
        F.sum(F.when(F.col("reject_reason").isNull(), 1).otherwise(0)).alias("silver"),
        F.sum(F.when(F.col("reject_reason").isNotNull(), 1).otherwise(0)).alias("quarantined"),
    )
    counts_by_file = {r["source_file"]: (int(r["silver"]), int(r["quarantined"])) for r in per_file.collect()}
    reasons = {r["reject_reason"]: int(r["n"]) for r in quarantine.groupBy("reject_reason").agg(F.count(F.lit(1)).alias("n")).collect()}
    manifest = build_manifest(
        table,
        batch_id,
        reports,
        counts_by_file,
        silver_rows=sum(s for s, _ in counts_by_file.values()),
        quarantined_rows=quarantine.count(),
        reject_reasons=reasons,
    )
    s3.put_object(
        Bucket=bucket,
        Key=f"{silver_prefix}/{MANIFEST_FILE}",
        Body=(json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
        ContentType="application/json",
    )
    print(json.dumps({"table": table, "batchId": batch_id, "rawRows": manifest["rawRows"], "silverRows": manifest["silverRows"],
                      "quarantinedRows": manifest["quarantinedRows"]}))
    job.commit()


if __name__ == "__main__":
    main(sys.argv)

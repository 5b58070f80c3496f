"""ecomdw normalization job (AWS Glue 5.0, Spark 3.5): raw -> silver + quarantine for one table and batch.

It does in Spark what functions/core/steps/normalizeTable.ts does in DuckDB, from the same
definitions: the source contract and raw-file rules (contract.json) and the SQL
(sql/normalize/<table>.sql), both uploaded by infra/etl.ts under ``--sql_prefix``, the
SQL already rendered for Spark. tests/glueJob.test.ts runs this script's ``main`` under
a local Spark on a lake folder and compares its output with the DuckDB normalizer's.

1. list the raw files of ``raw/<table>/batch_id=<id>/`` (hidden and ``_`` files ignored);
2. read each by extension into the contract's columns as canonical text (the texts the
   DuckDB readers in functions/core/steps/rawReaders.ts make: CSV fields as written, JSON
   values as their text, Parquet values as DuckDB casts them), with ``source_row`` and
   ``read_error`` (why a record could not be taken apart); extra columns are reported,
   missing optional ones are NULL, a missing required one quarantines the whole file,
   an unreadable file becomes one quarantine record;
3. expose ``raw_<table>`` and ``vocabulary_synonyms`` and run the SQL;
4. write silver (contract columns + row_hash, source_file, source_row, in that order:
   Redshift COPY maps Parquet columns by position) and quarantine Parquet, one file
   each, replacing the batch's previous output, then ``_manifest.json`` last: the load
   step reads the manifest, so a run that died half way leaves none.

Arguments: --table, --batch_id, --lake_bucket (an S3 bucket, or a local folder for
tests), --sql_prefix (s3://.../glue/sql/, or a local folder).
Everything above ``main`` but the readers is plain Python, importable without Spark.
"""

import codecs
import csv
import gzip
import io
import json
import math
import os
import re
import struct
import sys
import zlib
from datetime import datetime, timezone

# Lineage columns while a file is read: a source file may itself have a column named source_row.
ROW_NUMBER = "__ecomdw_source_row"
CORRUPT = "__ecomdw_corrupt_record"
ASCII_WHITESPACE = " \t\n\v\f\r"


class DuplicateColumnError(ValueError):
    """Two source columns have the same name once trimmed and lower-cased."""


class UnreadableFileError(ValueError):
    """A file that cannot be read at all; its message becomes the file's quarantine reason."""


# ---------------------------------------------------------------- the contract


class Contract:
    """contract.json (functions/core/contract.ts reads the same file): tables, raw-file rules, messages."""

    def __init__(self, definition):
        self.definition = definition
        self.tables = definition["tables"]
        self.rules = definition["rawFiles"]
        self.file_errors = self.rules["fileErrors"]
        self.record_errors = self.rules["recordErrors"]
        self.batch_id_pattern = re.compile(self.rules["batchIdPattern"])

    @classmethod
    def from_text(cls, text):
        return cls(json.loads(text))

    def column_names(self, table):
        """The contract columns of a table, in order."""
        return [c["name"] for c in self.tables[table]["columns"]]

    def required_columns(self, table):
        return [c["name"] for c in self.tables[table]["columns"] if c["required"]]

    def batch_prefix(self, zone, table, batch_id):
        """``<zone>/<table>/batch_id=<id>``, as functions/core/lake/layout.ts builds it."""
        if table not in self.tables:
            raise ValueError(f"unknown table '{table}' (expected one of {', '.join(self.tables)})")
        if not self.batch_id_pattern.match(batch_id):
            raise ValueError(f"invalid batch id '{batch_id}': it must match {self.batch_id_pattern.pattern}")
        return f"{zone}/{table}/batch_id={batch_id}"

    def raw_file_type(self, name):
        """(format, compressed) of a raw file by its extension (case-insensitive; lower-case .gz), or None."""
        suffix = self.rules["compressedSuffix"]
        compressed = name.endswith(suffix)
        base = name[: -len(suffix)] if compressed else name
        dot = base.rfind(".")
        fmt = self.rules["formats"].get(base[dot:].lower()) if dot > 0 else None
        if fmt is None or (compressed and fmt not in self.rules["compressibleFormats"]):
            return None
        return fmt, compressed

    def unsupported_file_error(self, name):
        """The quarantine reason of a file whose name is not a raw format."""
        formats = self.rules["formats"]
        plain = ", ".join(formats)
        compressed = ", ".join(
            f"{ext}{self.rules['compressedSuffix']}" for fmt in self.rules["compressibleFormats"] for ext, f in formats.items() if f == fmt
        )
        return self.file_errors["unsupportedFile"].format(extension=extension_of(name), expected=f"{plain}, or {compressed}")

    def malformed(self, fmt, reason):
        return self.file_errors["malformed"].format(format=fmt, reason=reason)

    def plan_columns(self, table, source_columns):
        """How a file's columns meet the contract: source name per contract column, extra, missing ones.

        Names are trimmed of ASCII whitespace and ASCII-lower-cased (the contract is
        case-insensitive); two that collide raise DuplicateColumnError.
        """
        by_lower = {}
        for column in source_columns:
            lower = ascii_lower(column.strip(ASCII_WHITESPACE))
            if lower in by_lower:
                raise DuplicateColumnError(self.file_errors["duplicateColumn"].format(column=lower))
            by_lower[lower] = column
        contract = self.column_names(table)
        missing_required = [c for c in self.required_columns(table) if c not in by_lower]
        return {
            "source": {c: by_lower[c] for c in contract if c in by_lower},
            "extra": [c for c in by_lower if c not in contract],
            "missing_required": missing_required,
            "missing_optional": [c for c in contract if c not in by_lower and c not in missing_required],
        }

    def missing_columns_error(self, missing_required):
        """The quarantine reason of a file without some required columns, or None."""
        return self.file_errors["missingColumns"].format(columns=", ".join(missing_required)) if missing_required else None


def ascii_lower(text):
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def extension_of(name):
    """The extension(s) a reason shows: ``.csv``, ``.csv.gz``, ``.txt``, or '' for none."""
    match = re.search(r"(\.[^./]+)?(\.[^./]+)$", name)
    if not match:
        return ""
    return match.group(1) + match.group(2) if match.group(1) and match.group(2).lower() == ".gz" else match.group(2)


def file_report(path, fmt, raw_rows, readable, extra, missing_optional, file_error):
    """One FileReport (functions/core/lake/manifest.ts) before the silver/quarantine counts are known."""
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


# ---------------------------------------------------------------- canonical texts


def shortest_float32(value):
    """The shortest text that reads back as the same 32-bit float, written as DuckDB casts a FLOAT.

    A text of at most 9 significant digits reads as a double whose repr() is that text
    again, so repr() gives DuckDB's layout (1e-05, 100.0, 1.5e+16) of the float's digits.
    """
    if math.isnan(value) or math.isinf(value):
        return repr(value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == value:
            return repr(float(text))
    return repr(value)


def double_text(value):
    """A DOUBLE as DuckDB casts it to VARCHAR: the shortest round-trip text, repr() style."""
    return None if value is None else repr(float(value))


def float_text(value):
    return None if value is None else shortest_float32(float(value))


_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])')


def parse_json_record(line, contract, table, plan_source, float_max):
    """One JSON-lines record as (texts by contract column, read_error); None for a line that is no object.

    Texts as the DuckDB reader makes them: strings as they are, true/false, integers as
    their digits, other numbers as the shortest text of their double; nested values are
    a record error. A trailing comma before } or ] is accepted, as DuckDB's parser does.
    """
    pairs_seen = {"duplicate": False}

    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            pairs_seen["duplicate"] = True
        result = {}
        for key, value in items:
            result.setdefault(key, value)
        return result

    record = load_json_line(line, object_pairs_hook=pairs, parse_float=lambda token: ("float", token), parse_int=lambda token: ("int", token))
    if not isinstance(record, dict):
        return None
    texts = {}
    error = contract.record_errors["duplicateKey"] if pairs_seen["duplicate"] else None
    for column in contract.column_names(table):
        key = plan_source.get(column)
        value = record.get(key) if key is not None else None
        text = None
        if isinstance(value, tuple) and value[0] == "int":
            text = str(int(value[1]))
        elif isinstance(value, tuple) and value[0] == "float":
            number = float(value[1])
            text = repr(number)
            if error is None and math.isfinite(number) and abs(number) >= float_max:
                error = contract.record_errors["jsonFloat"].format(column=column, max=contract.rules["jsonFloatMaxMagnitude"])
        elif isinstance(value, float):  # NaN, Infinity, -Infinity
            text = repr(value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = value
        elif isinstance(value, (dict, list)):
            if error is None:
                error = contract.record_errors["nestedValue"].format(column=column)
        texts[column] = text
    return texts, error


def load_json_line(line, **options):
    """A JSON-lines record as Python's json reads it, accepting a trailing comma as DuckDB's parser does; None if invalid."""
    try:
        return json.loads(line, **options)
    except ValueError:
        try:
            return json.loads(_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), line), **options)
        except ValueError:
            return None


def json_keys(line):
    """The keys of a JSON-lines record, or None for a line that is no JSON object."""
    record = load_json_line(line)
    return list(record.keys()) if isinstance(record, dict) else None


def first_csv_record(text, delimiter, quote, complete):
    """(names, crlf) of the first RFC 4180 record of ``text``, or None while it is incomplete."""
    names, field, quoted, i = [], "", False, 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == quote and i + 1 < len(text) and text[i + 1] == quote:
                field += quote
                i += 1
            elif char == quote:
                quoted = False
            else:
                field += char
        elif char == quote and field == "":
            quoted = True
        elif char == delimiter:
            names.append(field)
            field = ""
        elif char == "\n":
            crlf = field.endswith("\r")
            names.append(field[:-1] if crlf else field)
            return names, crlf
        else:
            field += char
        i += 1
    if not complete:
        return None
    if text == "":
        return [], False
    names.append(field)
    return names, False


# ---------------------------------------------------------------- the lake, on S3 or in a folder


class _BodyStream(io.RawIOBase):
    """An S3 GetObject body as a raw stream (what io.BufferedReader, gzip and TextIOWrapper read)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        self.body.close()
        super().close()


class S3Store:
    """Objects of an S3 bucket."""

    def __init__(self, bucket):
        import boto3

        self.bucket = bucket
        self.s3 = boto3.client("s3")

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def list_files(self, prefix):
        """Names of the objects directly under ``prefix/``, sorted."""
        names = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix + "/", Delimiter="/"):
            names += [obj["Key"][len(prefix) + 1 :] for obj in page.get("Contents", [])]
        return sorted(n for n in names if n)

    def read_bytes(self, key, limit=None):
        extra = {"Range": f"bytes=0-{limit - 1}"} if limit else {}
        return self.s3.get_object(Bucket=self.bucket, Key=key, **extra)["Body"].read()

    def open(self, key):
        """A buffered binary stream of the object, read as it is consumed."""
        return io.BufferedReader(_BodyStream(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"]), buffer_size=1024 * 1024)

    def put_text(self, key, text, content_type):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=text.encode("utf-8"), ContentType=content_type)

    def delete(self, key):
        self.s3.delete_object(Bucket=self.bucket, Key=key)


class LocalStore:
    """Files of a local folder laid out like the bucket (tests, and a lake on a mounted disk)."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def url(self, key):
        return "file://" + os.path.join(self.root, key)

    def list_files(self, prefix):
        folder = os.path.join(self.root, prefix)
        if not os.path.isdir(folder):
            return []
        return sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))

    def read_bytes(self, key, limit=None):
        with open(os.path.join(self.root, key), "rb") as handle:
            return handle.read(limit) if limit else handle.read()

    def open(self, key):
        return open(os.path.join(self.root, key), "rb")

    def put_text(self, key, text, content_type):
        path = os.path.join(self.root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

    def delete(self, key):
        path = os.path.join(self.root, key)
        if os.path.exists(path):
            os.remove(path)


def store_for(location):
    """The store of ``s3://bucket[/prefix]`` or a bucket name, or of a local folder (an absolute path or file://)."""
    if location.startswith("file://"):
        return LocalStore(location[len("file://") :]), ""
    if location.startswith("/"):
        return LocalStore(location), ""
    match = re.match(r"^(?:s3://)?([^/]+)/?(.*)$", location)
    if not match:
        raise ValueError(f"not a bucket, s3:// URL or folder: {location}")
    return S3Store(match.group(1)), match.group(2)


def read_artifact(sql_prefix, relative):
    """A small text the infra uploaded next to the SQL (or a file of a local folder)."""
    store, prefix = store_for(sql_prefix)
    key = (prefix.rstrip("/") + "/" if prefix else "") + relative
    return store.read_bytes(key).decode("utf-8")


def list_raw_files(store, contract, table, batch_id):
    """The raw files directly in the batch folder, like the lake's listRawFiles: sorted by name."""
    prefix = contract.batch_prefix("raw", table, batch_id)
    ignored = tuple(contract.rules["ignoredNamePrefixes"])
    return [{"path": f"{prefix}/{name}", "name": name} for name in store.list_files(prefix) if not name.startswith(ignored)]


def read_header(store, key, compressed, contract):
    """(names, crlf) of a CSV file's header record, read from at most the contract's maxHeaderBytes of it."""
    dialect = contract.rules["csv"]
    limit = dialect["maxHeaderBytes"]
    data = store.read_bytes(key, limit)
    complete = len(data) < limit  # the whole file was read
    if compressed:
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)
        except zlib.error as error:
            raise UnreadableFileError(contract.file_errors["notGzip"]) from error
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(data)
    header = first_csv_record(text[1:] if text.startswith("\ufeff") else text, dialect["delimiter"], dialect["quote"], complete)
    if header is None:
        raise UnreadableFileError(contract.file_errors["csvHeaderTooLong"].format(bytes=limit))
    return header


# ---------------------------------------------------------------- Spark readers


def assert_csv_readable(store, raw, compressed, contract):
    """Every quoted value closes, and only a delimiter or a line break follows its closing quote (RFC 4180),
    in valid UTF-8 (functions/core/lake/csvQuoting.ts checks the same for the DuckDB reader).

    Spark's reader takes the rest of a file after a quote that never closes into one value; Python's
    csv module, strict, refuses it, and characters after a closing quote.
    """
    dialect = contract.rules["csv"]
    csv.field_size_limit(sys.maxsize)
    try:
        with store.open(raw["path"]) as binary:
            source = gzip.GzipFile(fileobj=binary) if compressed else binary
            text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
            for _ in csv.reader(text, delimiter=dialect["delimiter"], quotechar=dialect["quote"], doublequote=True, strict=True):
                pass
    except csv.Error as error:
        raise UnreadableFileError(contract.file_errors["csvQuoting"]) from error
    except UnicodeDecodeError as error:
        raise UnreadableFileError(contract.file_errors["notUtf8"]) from error
    except (OSError, EOFError, zlib.error) as error:
        if compressed:
            raise UnreadableFileError(contract.file_errors["notGzip"]) from error
        raise


def csv_frame(spark, contract, store, table, raw, compressed):
    """(frame of contract texts + lineage + read_error, plan) of one CSV file."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    dialect = contract.rules["csv"]
    # Spark's reader turns a CRLF file's quoted line breaks into LF; the DuckDB reader does the same.
    names, _crlf = read_header(store, raw["path"], compressed, contract)
    plan = contract.plan_columns(table, names)
    width = len(names)
    if width == 0:
        return None, plan
    url = store.url(raw["path"])
    assert_csv_readable(store, raw, compressed, contract)
    schema = StructType([StructField(f"c{i}", StringType(), True) for i in range(width)] + [StructField(CORRUPT, StringType(), True)])
    frame = (
        spark.read.schema(schema)
        .option("header", "false")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)  # a row whose field count is not the header's
        .option("multiLine", "true")  # quoted line breaks; one partition per file, in file order
        .option("sep", dialect["delimiter"])
        .option("quote", dialect["quote"])
        .option("escape", dialect["escape"])
        .option("encoding", "UTF-8")
        .option("unescapedQuoteHandling", "RAISE_ERROR")  # characters after a closing quote
        .option("maxCharsPerColumn", "-1")
        .csv(url)
    )
    if frame.rdd.getNumPartitions() != 1:
        raise RuntimeError(f"{raw['name']}: a multiLine CSV file should be one partition")
    numbered = frame.withColumn(ROW_NUMBER, F.monotonically_increasing_id())
    index = {name: i for i, name in enumerate(names)}

    def text(i):
        return F.when(F.col(f"c{i}") != "", F.col(f"c{i}"))

    columns = []
    for column in contract.column_names(table):
        source = plan["source"].get(column)
        columns.append((text(index[source]) if source is not None else F.lit(None).cast("string")).alias(column))
    too_many = contract.record_errors["moreFields"].format(count=width)
    too_few = contract.record_errors["fewerFields"].format(count=width)
    # A row is corrupt when its field count is not the header's; which way, its text tells:
    # the delimiters left once the quoted values are taken out.
    unquoted = F.regexp_replace(F.col(CORRUPT), '"(?:[^"]|"")*"', "")
    fields = F.length(unquoted) - F.length(F.regexp_replace(unquoted, re.escape(dialect["delimiter"]), "")) + 1
    read_error = F.when(F.col(CORRUPT).isNotNull(), F.when(fields > width, F.lit(too_many)).otherwise(F.lit(too_few)))
    result = numbered.where(F.col(ROW_NUMBER) > 0).select(
        *columns, F.lit(raw["path"]).alias("source_file"), F.col(ROW_NUMBER).cast("long").alias("source_row"), read_error.alias("read_error")
    )
    return result, plan


def json_frame(spark, contract, store, table, raw):
    """(frame of contract texts + lineage + read_error, plan) of one JSON-lines file, parsed by Python's json."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    url = store.url(raw["path"])
    # One record per non-blank line (split at LF only, as DuckDB reads them); a byte-order mark before the first is ignored.
    lines = spark.read.option("lineSep", "\n").text(url).rdd.map(lambda row: row[0]).mapPartitionsWithIndex(without_bom)
    records = lines.filter(lambda line: line.strip(ASCII_WHITESPACE) != "").zipWithIndex().cache()
    total, objects, replaced, keys = records.map(lambda pair: line_facts(pair[0])).aggregate((0, 0, False, frozenset()), add_facts, add_facts)
    if replaced and not valid_utf8(store, raw, contract):
        raise UnreadableFileError(contract.file_errors["notUtf8"])
    if total > 0 and objects == 0:
        raise UnreadableFileError(contract.file_errors["noJsonObject"])
    # JSON lines may differ in keys from line to line: their union is the file's columns.
    plan = contract.plan_columns(table, sorted(keys))
    columns = contract.column_names(table)
    source = plan["source"]
    float_max = float(contract.rules["jsonFloatMaxMagnitude"])
    not_object = contract.record_errors["notJsonObject"]
    path = raw["path"]

    def row(pair):
        line, index = pair
        parsed = parse_json_record(line, contract, table, source, float_max)
        if parsed is None:
            return tuple([None] * len(columns)) + (path, index + 1, not_object)
        texts, error = parsed
        return tuple(texts[c] for c in columns) + (path, index + 1, error)

    schema = StructType(
        [StructField(c, StringType(), True) for c in columns]
        + [StructField("source_file", StringType(), True), StructField("source_row", LongType(), True), StructField("read_error", StringType(), True)]
    )
    return spark.createDataFrame(records.map(row), schema), plan


def without_bom(index, lines):
    """The partition's lines, a byte-order mark removed from the file's first."""
    for position, line in enumerate(lines):
        yield line[1:] if index == 0 and position == 0 and line.startswith("\ufeff") else line


def line_facts(line):
    """(records, objects, has a replacement character, keys) of one line."""
    keys = json_keys(line)
    return 1, 0 if keys is None else 1, "\ufffd" in line, frozenset(keys or [])


def add_facts(a, b):
    return a[0] + b[0], a[1] + b[1], a[2] or b[2], a[3] | b[3]


def valid_utf8(store, raw, contract):
    data = store.read_bytes(raw["path"])
    if raw["name"].endswith(contract.rules["compressedSuffix"]):
        data = gzip.decompress(data)
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def parquet_frame(spark, contract, store, table, raw):
    """(frame of contract texts + lineage + read_error, plan) of one Parquet file, values as DuckDB casts them to text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import (
        ArrayType, BinaryType, BooleanType, ByteType, DateType, DecimalType, DoubleType, FloatType, IntegerType,
        LongType, MapType, ShortType, StringType, StructType, TimestampNTZType, TimestampType,
    )

    try:
        frame = spark.read.parquet(store.url(raw["path"]))
        fields = frame.schema.fields
    except Exception as error:  # noqa: BLE001 - any read failure makes the file unreadable
        raise UnreadableFileError(contract.file_errors["notParquet"]) from error
    plan = contract.plan_columns(table, [f.name for f in fields])
    types = {f.name: f.dataType for f in fields}
    double = F.udf(double_text, StringType())
    single = F.udf(float_text, StringType())
    columns = []
    for column in contract.column_names(table):
        source = plan["source"].get(column)
        if source is None:
            columns.append(F.lit(None).cast("string").alias(column))
            continue
        value, kind = F.col(f"`{source.replace('`', '``')}`"), types[source]
        if isinstance(kind, (StructType, ArrayType, MapType, BinaryType)):
            raise UnreadableFileError(contract.file_errors["unsupportedParquetColumn"].format(column=source))
        if isinstance(kind, DecimalType):
            text = F.regexp_replace(F.format_number(value, kind.scale), ",", "")
        elif isinstance(kind, DoubleType):
            text = double(value)
        elif isinstance(kind, FloatType):
            text = single(value)
        elif isinstance(kind, (StringType, BooleanType, ByteType, ShortType, IntegerType, LongType, DateType, TimestampType, TimestampNTZType)):
            text = value.cast("string")  # a TIMESTAMP (adjusted to UTC) in the session zone, UTC
        else:
            raise UnreadableFileError(contract.file_errors["unsupportedParquetColumn"].format(column=source))
        columns.append(text.alias(column))
    result = frame.select(
        *columns,
        F.lit(raw["path"]).alias("source_file"),
        (F.col("_metadata.row_index") + 1).cast("long").alias("source_row"),
        F.lit(None).cast("string").alias("read_error"),
    )
    return result, plan


def read_raw_file(spark, contract, store, table, raw):
    """(report, frame or None) of one raw file; never raises for a bad file."""
    kind = contract.raw_file_type(raw["name"])
    if kind is None:
        return file_report(raw["path"], "unknown", 1, False, [], [], contract.unsupported_file_error(raw["name"])), None
    fmt, compressed = kind
    try:
        if fmt == "csv":
            frame, plan = csv_frame(spark, contract, store, table, raw, compressed)
        elif fmt == "jsonl":
            frame, plan = json_frame(spark, contract, store, table, raw)
        else:
            frame, plan = parquet_frame(spark, contract, store, table, raw)
        if frame is None:
            frame = empty_raw_frame(spark, contract, table)
        frame = frame.cache()
        # count() forces every row through the reader: read errors surface here, inside the try.
        raw_rows = frame.count()
        error = contract.missing_columns_error(plan["missing_required"])
        return file_report(raw["path"], fmt, raw_rows, True, plan["extra"], plan["missing_optional"], error), frame
    except (UnreadableFileError, DuplicateColumnError) as error:
        return file_report(raw["path"], fmt, 1, False, [], [], contract.malformed(fmt, str(error))), None
    except Exception as error:  # noqa: BLE001 - any other read failure quarantines the file, the run goes on
        return file_report(raw["path"], fmt, 1, False, [], [], contract.malformed(fmt, engine_reason(contract, fmt, error))), None


def engine_reason(contract, fmt, error):
    """A Spark read failure in the words the DuckDB reader uses, where the two can meet."""
    text = str(error)
    if fmt == "csv" and ("TextParsingException" in text or "quote" in text.lower()):
        return contract.file_errors["csvQuoting"]
    if "gzip" in text.lower() or "Not in GZIP format" in text or "ZipException" in text:
        return contract.file_errors["notGzip"]
    if fmt == "parquet":
        return contract.file_errors["notParquet"]
    return (text.strip().splitlines() or ["unknown error"])[0][:500]


def empty_raw_frame(spark, contract, table):
    """The raw relation of a batch without a readable file."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    fields = [StructField(c, StringType(), True) for c in contract.column_names(table)]
    fields += [StructField("source_file", StringType(), True), StructField("source_row", LongType(), True), StructField("read_error", StringType(), True)]
    return spark.createDataFrame([], StructType(fields))


def union_all(frames):
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def quarantine_frame(spark, contract, table, normalized, rejected_files):
    """Rejected rows (raw strings + reason + lineage) and whole-file rejections."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType

    columns = contract.column_names(table)
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


def configure(spark):
    """The session settings the job's reading and writing depend on."""
    settings = {
        # Instants are rendered in UTC; no text is parsed with the session zone (valueRules.ts).
        "spark.sql.session.timeZone": "UTC",
        # Keep names that differ only in case apart, so duplicates are found and refused.
        "spark.sql.caseSensitive": "true",
        # The DuckDB normalizer's Parquet layout: DECIMAL(18,4) as INT64, timestamps as INT64
        # microseconds without time zone (silver columns are TIMESTAMP_NTZ). COPY maps by position.
        "spark.sql.parquet.writeLegacyFormat": "false",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        # Raw files from proleptic-Gregorian writers, dates before 1582 or 1900 included:
        # read and write them as they are instead of failing with SparkUpgradeException.
        "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
        "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
        "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
        "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
        # Strings written as plain BINARY by old writers are text, as DuckDB's binary_as_string reads them.
        "spark.sql.parquet.binaryAsString": "true",
        # Casts that fail give NULL (the SQL uses try_cast where it matters).
        "spark.sql.ansi.enabled": "false",
    }
    for key, value in settings.items():
        spark.conf.set(key, value)


def main(argv):
    """Glue entry point."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    args = getResolvedOptions(argv, ["JOB_NAME", "table", "batch_id", "lake_bucket", "sql_prefix"])
    table, batch_id = args["table"], args["batch_id"]
    contract = Contract.from_text(read_artifact(args["sql_prefix"], "contract.json"))
    silver_prefix = contract.batch_prefix("silver", table, batch_id)
    quarantine_prefix = contract.batch_prefix("quarantine", table, batch_id)
    manifest_key = f"{silver_prefix}/{contract.rules['manifestFile']}"
    store, _ = store_for(args["lake_bucket"])

    sc = SparkContext.getOrCreate()
    # No _SUCCESS marker next to the data: COPY and the lake listing read the folder.
    sc._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    glue = GlueContext(sc)
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    configure(spark)

    # Seeds and SQL, as the infra uploaded them (already rendered for Spark).
    synonyms = list(csv.DictReader(io.StringIO(read_artifact(args["sql_prefix"], "seeds/vocabulary_synonyms.csv"))))
    synonym_schema = StructType([StructField(c, StringType(), True) for c in ("domain", "code", "canonical_code")])
    spark.createDataFrame([(r["domain"], r["code"], r["canonical_code"]) for r in synonyms], synonym_schema).createOrReplaceTempView(
        "vocabulary_synonyms"
    )
    sql = read_artifact(args["sql_prefix"], f"normalize/{table}.sql").strip().rstrip(";")

    reports, accepted, rejected = [], [], []
    for raw in list_raw_files(store, contract, table, batch_id):
        report, frame = read_raw_file(spark, contract, store, table, raw)
        reports.append(report)
        (accepted if report["fileError"] is None else rejected).append((report, frame))
    raw_frame = union_all([f for _, f in accepted]) if accepted else empty_raw_frame(spark, contract, table)
    raw_frame.createOrReplaceTempView(f"raw_{table}")

    lineage = contract.rules["silverLineageColumns"]
    normalized = spark.sql(sql).persist()
    silver = normalized.where("reject_reason is null").select(*contract.column_names(table), *lineage)
    quarantine = quarantine_frame(spark, contract, table, normalized, rejected)

    # The old manifest goes first, so a run that dies below never leaves it next to new data.
    store.delete(manifest_key)
    write_parquet(silver, store.url(silver_prefix) + "/")
    write_parquet(quarantine, store.url(quarantine_prefix) + "/")

    # One pass for the counts: silver and quarantined rows per file, rows per reason.
    counts = normalized.groupBy("source_file", "reject_reason").agg(F.count(F.lit(1)).alias("n")).collect()
    counts_by_file, reasons = {}, {}
    for row in counts:
        silver, quarantined = counts_by_file.get(row["source_file"], (0, 0))
        if row["reject_reason"] is None:
            counts_by_file[row["source_file"]] = (silver + row["n"], quarantined)
        else:
            counts_by_file[row["source_file"]] = (silver, quarantined + row["n"])
            reasons[row["reject_reason"]] = reasons.get(row["reject_reason"], 0) + row["n"]
    for report, _ in rejected:
        if report["rawRows"] > 0:
            reasons[report["fileError"]] = reasons.get(report["fileError"], 0) + report["rawRows"]
    manifest = build_manifest(
        table,
        batch_id,
        reports,
        counts_by_file,
        silver_rows=sum(s for s, _ in counts_by_file.values()),
        quarantined_rows=sum(reasons.values()),
        reject_reasons=reasons,
    )
    store.put_text(manifest_key, json.dumps(manifest, indent=2) + "\n", "application/json")
    print(json.dumps({"table": table, "batchId": batch_id, "rawRows": manifest["rawRows"], "silverRows": manifest["silverRows"],
                      "quarantinedRows": manifest["quarantinedRows"]}))
    for frame in [normalized] + [f for _, f in accepted + rejected if f is not None]:
        frame.unpersist()
    job.commit()


if __name__ == "__main__":
    main(sys.argv)

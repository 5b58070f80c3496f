"""``GlueContext``: the Spark session of the running SparkContext."""

from pyspark.sql import SparkSession


class GlueContext:
    """Wraps a SparkContext as Glue does; only ``spark_session`` and ``getLogger`` are provided.

    Offline, many runs share one SparkContext: each GlueContext (one per run)
    gets a new session of it, with its own temporary views and SQL settings,
    as a Glue run on its own cluster would.
    """

    def __init__(self, spark_context):
        self._sc = spark_context
        self.spark_session = SparkSession.builder.getOrCreate().newSession()

    def getLogger(self):  # noqa: N802 - Glue's name
        return self._sc._jvm.org.apache.log4j.LogManager.getLogger("GlueJob")

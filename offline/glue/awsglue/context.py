"""``GlueContext``: the Spark session of the running SparkContext."""

from pyspark.sql import SparkSession


class GlueContext:
    """Wraps a SparkContext as Glue does; only ``spark_session`` is provided."""

    def __init__(self, spark_context):
        self._sc = spark_context
        self.spark_session = SparkSession.builder.getOrCreate()

    def getLogger(self):  # noqa: N802 - Glue's name
        return self._sc._jvm.org.apache.log4j.LogManager.getLogger("GlueJob")

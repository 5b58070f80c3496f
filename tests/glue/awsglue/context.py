"""GlueContext: here only the Spark session of the SparkContext it wraps."""
from pyspark.sql import SparkSession


class GlueContext:
    def __init__(self, spark_context):
        self.spark_context = spark_context
        self.spark_session = SparkSession(spark_context)

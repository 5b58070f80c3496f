"""A stand-in for AWS Glue's ``awsglue`` package (not on PyPI), with the few calls
functions/glue/normalize_job.py makes, so the job's ``main`` runs under a local Spark.
Only tests put this folder on PYTHONPATH; in Glue the real package is there."""

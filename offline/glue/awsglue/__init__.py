"""A stand-in for AWS Glue's ``awsglue`` library (not on PyPI), for running Glue scripts offline.

Only what ecomdw's job uses, with Glue's behaviour: ``utils.getResolvedOptions``,
``context.GlueContext`` (its ``spark_session``) and ``job.Job`` (``init``/``commit``).
Used by offline/glue/glue_driver.py; nothing here runs in AWS.
"""

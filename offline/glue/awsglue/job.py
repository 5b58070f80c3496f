"""``Job``: init and commit, which only matter to bookmarks (disabled for ecomdw's job)."""


class Job:
    """Records the job name and arguments; commit marks the run complete."""

    def __init__(self, glue_context):
        self._context = glue_context
        self.name = None
        self.committed = False

    def init(self, job_name, args=None):
        if not job_name:
            raise ValueError("Job.init needs the job name (--JOB_NAME)")
        self.name = job_name
        self.args = dict(args or {})

    def commit(self):
        if self.name is None:
            raise RuntimeError("Job.commit before Job.init")
        self.committed = True

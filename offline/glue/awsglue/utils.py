"""``getResolvedOptions`` as Glue resolves job arguments (argparse over ``argv[1:]``)."""

import argparse


class GlueArgumentError(Exception):
    """A required job argument is missing or malformed (Glue raises instead of exiting)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise GlueArgumentError(message)


# Arguments Glue itself passes to every run; they may be present without being asked for.
_GLUE_ARGUMENTS = ("--JOB_ID", "--JOB_RUN_ID", "--TempDir", "--RedshiftTempDir", "--job-bookmark-option")


def getResolvedOptions(args, options):  # noqa: N802 - Glue's name
    """The values of ``--<option> <value>`` for each requested option; unknown arguments are ignored.

    Every requested option is required, as in Glue; ``--name=value`` works too.
    """
    parser = _Parser(add_help=False, allow_abbrev=False)
    for name in _GLUE_ARGUMENTS:
        if name[2:] not in options:
            parser.add_argument(name, required=False)
    for option in options:
        parser.add_argument("--" + option, dest=option, required=True)
    parsed, _unknown = parser.parse_known_args(args[1:])
    return {key: value for key, value in vars(parsed).items() if key in options or value is not None}

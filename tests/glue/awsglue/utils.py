"""getResolvedOptions as Glue documents it: the named ``--key value`` job arguments."""


class GlueArgumentError(Exception):
    pass


def getResolvedOptions(args, options):  # noqa: N802 - Glue's name
    values = {}
    i = 1
    while i < len(args):
        if args[i].startswith("--") and i + 1 < len(args):
            values[args[i][2:]] = args[i + 1]
            i += 2
        else:
            i += 1
    missing = [name for name in options if name not in values]
    if missing:
        raise GlueArgumentError(f"the following arguments are required: {', '.join('--' + m for m in missing)}")
    return {name: values[name] for name in options}

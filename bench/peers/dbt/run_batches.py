"""Runs the dbt peer over batches the way a scheduler would, and measures it.

    .venv-bench/bin/python bench/peers/dbt/run_batches.py '<json spec>'

Per batch: the batch's silver files arrive in the peer's lake folder (hard
links, not timed), then `dbt snapshot`, `dbt run` and `dbt test` run one after
the other as child processes, each a fresh `dbt` command as a user types it.
Wall time is summed over the commands; CPU time and peak RSS are those of the
child processes (getrusage(RUSAGE_CHILDREN)), so dbt's Python start-up and
project parsing count, as they do for a user. Prints one JSON line prefixed
with RESULT_MARKER on stdout; each command's output goes to the log folder.

Spec keys: dbt (path of the dbt executable), project_dir, silver_lake (a lake
whose silver/ holds every batch), peer_lake (the folder dbt reads; batches are
added to it), db, target_dir, log_dir, batches (ids, in order), seed (run
`dbt seed` first, timed as part of the run), from_db (copy this warehouse to db
first, not timed), present_batches (batches already loaded into from_db: linked
into the peer's lake first, not run), snapshot_after ({batch id: path}: copy the warehouse there
after that batch, not timed), memory_limit.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import time

RESULT_MARKER = "BENCH-RESULT "
COMMANDS = ("snapshot", "run", "test")


def link_batch(silver_lake, peer_lake, batch_id):
    """Hard-links one batch's silver files into the peer's lake (copies across devices)."""
    silver = os.path.join(silver_lake, "silver")
    for table in sorted(os.listdir(silver)):
        source = os.path.join(silver, table, f"batch_id={batch_id}")
        if not os.path.isdir(source):
            continue
        target = os.path.join(peer_lake, "silver", table, f"batch_id={batch_id}")
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(source):
            if not name.endswith(".parquet") or os.path.exists(os.path.join(target, name)):
                continue
            try:
                os.link(os.path.join(source, name), os.path.join(target, name))
            except OSError:
                shutil.copyfile(os.path.join(source, name), os.path.join(target, name))


def statuses(target_dir):
    """Counts of node statuses in dbt's run_results.json, and dbt's own elapsed time."""
    path = os.path.join(target_dir, "run_results.json")
    if not os.path.exists(path):
        return {}, None
    with open(path, encoding="utf-8") as handle:
        results = json.load(handle)
    counts = {}
    for node in results.get("results", []):
        counts[node["status"]] = counts.get(node["status"], 0) + 1
    failing = [
        {"node": node["unique_id"], "status": node["status"], "failures": node.get("failures")}
        for node in results.get("results", [])
        if node["status"] in ("fail", "error", "warn")
    ]
    return {"counts": counts, "failing": failing[:20]}, results.get("elapsed_time")


def dbt_command(spec, command, batch_id, env):
    """Runs one dbt command; returns its figures (wall seconds, exit code, statuses)."""
    log = os.path.join(spec["log_dir"], f"{batch_id or 'setup'}-{command}.log")
    arguments = [
        spec["dbt"], command,
        "--project-dir", spec["project_dir"],
        "--profiles-dir", spec["project_dir"],
        "--target-path", spec["target_dir"],
        "--log-path", spec["log_dir"],
    ]
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as output:
        code = subprocess.run(arguments, env=env, stdout=output, stderr=subprocess.STDOUT, check=False).returncode
    seconds = time.perf_counter() - started
    result, dbt_seconds = statuses(spec["target_dir"])
    sys.stderr.write(f"  [{batch_id or 'setup'}] dbt {command:<9} {seconds:7.2f} s (exit {code})\n")
    return {
        "batchId": batch_id,
        "command": command,
        "seconds": seconds,
        "dbtSeconds": dbt_seconds,
        "exitCode": code,
        **result,
    }


def copy_warehouse(source, target):
    for suffix in ("", ".wal"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(source, target)
    # On disk before the timed commands run, as the pipeline's copy (bench/scenario.ts):
    # otherwise the kernel writes it back while they run.
    with open(target, "rb+") as copied:
        os.fsync(copied.fileno())


def main(spec):
    os.makedirs(spec["log_dir"], exist_ok=True)
    os.makedirs(os.path.dirname(spec["db"]), exist_ok=True)
    if spec.get("from_db"):
        copy_warehouse(spec["from_db"], spec["db"])
    env = {
        **os.environ,
        "ECOMDW_PEER_DB": spec["db"],
        "ECOMDW_PEER_LAKE": spec["peer_lake"],
        "ECOMDW_PEER_MEMORY_LIMIT": spec.get("memory_limit", "3GB"),
        "DO_NOT_TRACK": "1",
    }
    for batch_id in spec.get("present_batches", []):
        link_batch(spec["silver_lake"], spec["peer_lake"], batch_id)
    commands = []
    failure = None
    if spec.get("seed"):
        commands.append(dbt_command(spec, "seed", None, env))
        if commands[-1]["exitCode"] != 0:
            failure = "dbt seed failed"
    for batch_id in spec["batches"] if failure is None else []:
        link_batch(spec["silver_lake"], spec["peer_lake"], batch_id)
        for command in COMMANDS:
            figures = dbt_command(spec, command, batch_id, env)
            commands.append(figures)
            # A failing data test exits 1 and the run goes on, as a scheduler that alerts
            # on test failures would; a snapshot or model that fails stops it.
            if figures["exitCode"] != 0 and not (command == "test" and figures["exitCode"] == 1):
                failure = f"dbt {command} failed on batch {batch_id} (exit {figures['exitCode']})"
                break
        if failure:
            break
        if batch_id in spec.get("snapshot_after", {}):
            copy_warehouse(spec["db"], spec["snapshot_after"][batch_id])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "kind": "dbt",
        "seconds": sum(c["seconds"] for c in commands),
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        # ru_maxrss is in kilobytes on Linux: the largest child's peak.
        "maxRssBytes": usage.ru_maxrss * 1024,
        "commands": commands,
        "failure": failure,
        "dbBytes": os.path.getsize(spec["db"]) if os.path.exists(spec["db"]) else 0,
    }


if __name__ == "__main__":
    result = main(json.loads(sys.argv[1]))
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")

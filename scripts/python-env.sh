#!/usr/bin/env bash
# Creates or refreshes the project's Python virtual environment from a pinned
# requirements file: scripts/python-env.sh [requirements file] [venv folder].
# Idempotent and quick when nothing changed (a stamp holds the file's hash), so
# `npm test` calls it every time. Needs Python 3.11 (as in AWS Glue 5.0).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements/test.txt}
venv=${2:-.venv}
python=${PYTHON:-python3}

version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ "$version" != "3.11" ]]; then
  echo "python-env: $python is Python $version; the Glue job needs Python 3.11 (AWS Glue 5.0)" >&2
  exit 2
fi
stamp="$venv/.requirements-$(basename "$requirements").sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" && -x "$venv/bin/python" ]]; then
  exit 0
fi
echo "python-env: installing $requirements into $venv (first run only; about a minute)" >&2
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --requirement "$requirements"
echo "$wanted" > "$stamp"

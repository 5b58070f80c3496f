#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (the HTML
# report is checked in a real headless Chromium driven by playwright-core,
# which downloads no browser of its own). Idempotent and instant when
# /usr/bin/chromium is there, so `npm test` calls it every time.
# Override the browser with ECOMDW_CHROMIUM=/path/to/chromium.
set -euo pipefail
browser=${ECOMDW_CHROMIUM:-/usr/bin/chromium}
if [[ -x "$browser" ]]; then
  exit 0
fi
if [[ -n "${ECOMDW_CHROMIUM:-}" ]]; then
  echo "chromium: ECOMDW_CHROMIUM=$browser is not an executable file" >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $browser is missing and this is not a Debian system: install Chromium and set ECOMDW_CHROMIUM to its path" >&2
  exit 2
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "chromium: $browser is missing; run as root: apt-get update && apt-get install -y chromium" >&2
    exit 2
  fi
  sudo=(sudo)
fi
echo "chromium: installing Debian's chromium for the browser tests (first run only; about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [[ ! -x "$browser" ]]; then
  echo "chromium: apt-get installed chromium but $browser is still missing" >&2
  exit 2
fi

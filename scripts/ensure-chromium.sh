#!/usr/bin/env bash
# Browser tests drive Debian's chromium; install it from Debian's packages when missing (never download a browser build).
set -e
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
  (apt-get install -y -q chromium >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)
else
  echo "chromium is missing: run 'sudo apt-get install -y chromium' for the browser tests" >&2
fi

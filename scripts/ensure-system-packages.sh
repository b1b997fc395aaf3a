#!/usr/bin/env bash
# System packages from Debian's archive: chromium for the browser tests (never a downloaded browser
# build), pango and the Noto CJK fonts for PDF reports with Chinese text (WeasyPrint); Java 17 for Apache Spark,
# only where it runs: BROKERCRM_WAREHOUSE_ENGINE=spark, or `--tests` (the test suite's Spark identity test).
set -e
need=()
if [ "${BROKERCRM_WAREHOUSE_ENGINE:-duckdb}" = spark ] || [ "${1:-}" = --tests ]; then
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
fi
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto 2>/dev/null | grep -qi cjk || need+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0" || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing from Debian's packages: ${need[*]}"
  mkdir -p /usr/share/man/man1  # the JRE's post-install step fails on slim images without it
  (apt-get install -y -q "${need[@]}" >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null)
else
  echo "missing system packages: run 'sudo apt-get install -y ${need[*]}'" >&2
fi

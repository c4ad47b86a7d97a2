#!/usr/bin/env bash
# System packages the test suite needs, installed as root on a fresh Debian
# machine before `npm ci` (see .ci/run). kubectl ships with every machine; etcd
# comes from Debian's etcd-server package (the etcd store tests start their own
# etcd on loopback ports; the package's system service is not used). Idempotent
# and quiet: anything already on PATH is skipped.
set -euo pipefail
command -v kubectl >/dev/null || { echo "kubectl is required on PATH" >&2; exit 1; }

if ! command -v etcd >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends etcd-server; } >"$log" 2>&1; then
    echo "setup-ci: installing etcd-server failed:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  command -v etcd >/dev/null || { echo "setup-ci: etcd-server installed but etcd is not on PATH" >&2; exit 1; }
fi

# The starlark-go reference for the differential Starlark tests
# (scripts/build-starlark-ref.sh builds it offline from these packages).
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.starlark.net/starlark ]; then
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends golang-go golang-starlark-dev; } >"$log" 2>&1; then
    echo "setup-ci: installing golang-go golang-starlark-dev failed:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

# A real browser for the web UI tests (test/ui/browser.test.ts drives Debian's
# chromium headless with puppeteer-core, which downloads no browser itself).
if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    echo "setup-ci: installing chromium failed:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  command -v chromium >/dev/null || { echo "setup-ci: chromium installed but not on PATH" >&2; exit 1; }
fi

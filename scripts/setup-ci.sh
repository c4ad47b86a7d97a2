#!/usr/bin/env bash
# System packages the test suite needs, installed as root on a fresh Debian
# machine before `npm ci` (see .ci/run). kubectl ships with every machine; the
# rest comes from Debian packages. Idempotent and quiet: anything already
# present is skipped; a failed install prints the tail of apt's log.
set -euo pipefail
command -v kubectl >/dev/null || { echo "kubectl is required on PATH" >&2; exit 1; }

# apt_install WHAT PACKAGE...: installs the packages, or exits naming WHAT.
apt_install() {
  local what=$1 log
  shift
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    echo "setup-ci: installing $what failed:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

# etcd for the etcd store tests (they start their own etcd on loopback ports;
# the package's system service is not used).
if ! command -v etcd >/dev/null; then
  apt_install etcd-server etcd-server
  command -v etcd >/dev/null || { echo "setup-ci: etcd-server installed but etcd is not on PATH" >&2; exit 1; }
fi

# The starlark-go reference for the differential Starlark tests
# (scripts/build-starlark-ref.sh builds it offline from these packages).
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.starlark.net/starlark ]; then
  apt_install "golang-go golang-starlark-dev" golang-go golang-starlark-dev
fi

# A real browser for the web UI tests (test/ui/browser.test.ts drives Debian's
# chromium headless with puppeteer-core, which downloads no browser itself).
if ! command -v chromium >/dev/null; then
  apt_install chromium chromium fonts-dejavu-core
  command -v chromium >/dev/null || { echo "setup-ci: chromium installed but not on PATH" >&2; exit 1; }
fi

#!/usr/bin/env bash
# System packages the test suite needs. kubectl ships with every machine; etcd
# (Debian's etcd-server) is installed here once the etcd backend's tests exist.
set -euo pipefail
command -v kubectl >/dev/null || { echo "kubectl is required on PATH" >&2; exit 1; }

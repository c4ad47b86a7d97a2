#!/usr/bin/env bash
# Builds the starlark-go reference interpreter (scripts/starlark-ref/main.go)
# into .cache/starlark-ref/starlark-ref, for the differential Starlark tests.
# Needs Debian's golang-go and golang-starlark-dev (scripts/setup-ci.sh installs
# them); builds offline in GOPATH mode against /usr/share/gocode. Rebuilds only
# when main.go is newer than the binary. Prints the binary's path; exit 1 with
# the reason when it cannot be built.
#
# Known drift of the reference (go.starlark.net 2021-01, Debian) from the
# original's pin (2024-07): no math/time modules and no bytes type; package-level dialect flags
# (toplevelcontrol implies globalreassign, while implies recursion); a few
# error texts reworded since. See test/starlark/differential/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.cache/starlark-ref"
bin="$out/starlark-ref"
src="$root/scripts/starlark-ref/main.go"
gopath=/usr/share/gocode
command -v go >/dev/null || { echo "build-starlark-ref: go is not installed (apt-get install golang-go)" >&2; exit 1; }
[ -d "$gopath/src/go.starlark.net/starlark" ] || { echo "build-starlark-ref: $gopath/src/go.starlark.net missing (apt-get install golang-starlark-dev)" >&2; exit 1; }
if [ -x "$bin" ] && [ "$bin" -nt "$src" ]; then echo "$bin"; exit 0; fi
mkdir -p "$out/gocache"
(cd "$root/scripts/starlark-ref" && GO111MODULE=off GOPATH="$gopath" GOPROXY=off GOCACHE="$out/gocache" \
  go build -o "$bin.tmp" . ) >&2 || { echo "build-starlark-ref: go build failed" >&2; exit 1; }
mv "$bin.tmp" "$bin"
echo "$bin"

#!/usr/bin/env bash
# Builds the Cilium policy oracle (main.go here, importing github.com/cilium/cilium at the
# version pinned in go.mod, fetched from the Go module proxy) into a cache outside the
# repository, keyed by that version and a hash of the oracle's sources. A warm cache
# returns at once. Prints the path of the binary on its last line.
#   --no-build   only print the path when it is already built; exit 4 otherwise
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${ZTAUDIT_TESTBIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-testbins}
version=$(awk '$1 == "github.com/cilium/cilium" || ($1 == "require" && $2 == "github.com/cilium/cilium") { print $NF; exit }' "$here/go.mod")
[ -n "$version" ] || { echo "build-cilium-oracle: no pinned github.com/cilium/cilium in go.mod" >&2; exit 2; }
hash=$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
bin="$cache_root/cilium-oracle-$version-$hash/cilium-oracle"
if [ -x "$bin" ]; then
  echo "$bin"; exit 0
fi
if [ "${1:-}" = "--no-build" ]; then
  echo "build-cilium-oracle: the Cilium $version oracle is not built yet (run test/oracles/cilium/build.sh)" >&2; exit 4
fi
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || { echo "build-cilium-oracle: Go is required to build the Cilium oracle" >&2; exit 3; }
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
start=$(date +%s)
echo "build-cilium-oracle: building against github.com/cilium/cilium $version (cold: minutes)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/main.go" "$here/go.mod" "$here/go.sum" "$work/"
mkdir -p "$(dirname "$bin").tmp"
(cd "$work" && go build -trimpath -ldflags "-s -w" -o "$(dirname "$bin").tmp/cilium-oracle" .)
rm -rf "$(dirname "$bin")"; mv "$(dirname "$bin").tmp" "$(dirname "$bin")"
echo "build-cilium-oracle: built in $(( $(date +%s) - start )) s" >&2
echo "$bin"

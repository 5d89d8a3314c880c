#!/usr/bin/env bash
# Builds the helm CLI from its Go module (helm.sh/helm/v3) at HELM_VERSION pinned in
# versions.env, into the same version-keyed cache as build-binaries.sh. A warm cache
# returns at once. Prints the path of the helm binary on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"
cache_root=${ZTAUDIT_TESTBIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-testbins}
bin_dir="$cache_root/helm-$HELM_VERSION"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

build_helm() {
  local work="$cache_root/work/helm-$HELM_VERSION"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"
  go mod init ztaudit.test/helm-testbin >/dev/null 2>&1
  go get "helm.sh/helm/v3@$HELM_VERSION" >/dev/null
  # helm reports its version from ldflags; without them `helm version` says v3.x-dev.
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  go build -trimpath -ldflags "$ld" -o "$bin_dir.tmp/helm" helm.sh/helm/v3/cmd/helm
}

if [ -x "$bin_dir/helm" ]; then
  echo "$bin_dir/helm"; exit 0
fi
command -v go >/dev/null || { echo "build-helm: Go is required to build helm" >&2; exit 3; }
start=$(date +%s)
rm -rf "$bin_dir.tmp"; mkdir -p "$bin_dir.tmp"
echo "build-helm: building helm $HELM_VERSION from helm.sh/helm/v3 (cold, takes a few minutes)" >&2
build_helm
rm -rf "$bin_dir"; mv "$bin_dir.tmp" "$bin_dir"
echo "build-helm: built in $(( $(date +%s) - start )) s" >&2
echo "$bin_dir/helm"

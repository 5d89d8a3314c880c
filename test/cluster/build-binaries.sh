#!/usr/bin/env bash
# Builds kube-apiserver, kubectl (k8s.io/kubernetes) and etcd (go.etcd.io/etcd/server/v3)
# from the Go module proxy at the versions pinned in versions.env, into a cache outside
# the repository keyed by version. A warm cache returns in well under a second.
# Prints the bin directory on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"
cache_root=${ZTAUDIT_TESTBIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-testbins}
bin_dir="$cache_root/k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

build_k8s() {
  local work="$cache_root/work/k8s-$KUBERNETES_VERSION"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"
  go mod init ztaudit.test/k8s-testbins >/dev/null 2>&1
  local gomod minor stg
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  stg="v0.${KUBERNETES_VERSION#v1.}"
  minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
  for m in $(grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk '{print $1}'); do
    go mod edit -replace="$m=$m@$stg"
  done
  go get "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  go build -trimpath -ldflags "$ld" -o "$bin_dir.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags "$ld" -o "$bin_dir.tmp/kubectl" k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local work="$cache_root/work/etcd-$ETCD_VERSION"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"
  go mod init ztaudit.test/etcd-testbins >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  go build -trimpath -ldflags "-s -w" -o "$bin_dir.tmp/etcd" go.etcd.io/etcd/server/v3
}

if [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/etcd" ] && [ -x "$bin_dir/kubectl" ]; then
  echo "$bin_dir"; exit 0
fi
command -v go >/dev/null || { echo "build-binaries: Go is required to build the control plane" >&2; exit 3; }
start=$(date +%s)
rm -rf "$bin_dir.tmp"; mkdir -p "$bin_dir.tmp"
echo "build-binaries: building kube-apiserver+kubectl $KUBERNETES_VERSION and etcd $ETCD_VERSION (cold, takes minutes)" >&2
build_etcd
build_k8s
rm -rf "$bin_dir"; mv "$bin_dir.tmp" "$bin_dir"
echo "build-binaries: built in $(( $(date +%s) - start )) s" >&2
echo "$bin_dir"

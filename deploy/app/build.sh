#!/usr/bin/env bash
# Builds the Grafana app bundle for the local stack without touching the checkout: copies the sources (read-only
# mount at /repo) into the container, runs `npm ci && npm run build` there and puts dist/ into the volume at /out,
# which Grafana mounts as its plugin folder.
set -euo pipefail
src="${APP_SOURCE:-/repo}"
work="${APP_WORKDIR:-/build}"
out="${APP_OUT:-/out}"

mkdir -p "$work" "$out"
tar -C "$src" --exclude=./node_modules --exclude=./operator/node_modules --exclude=./dist --exclude=./.git \
  --exclude=./.cache -cf - . | tar -C "$work" -xf -
cd "$work"
npm ci --no-audit --no-fund
npm run build
find "$out" -mindepth 1 -delete
cp -R dist/. "$out/"
echo "[app] built $(find "$out" -type f | wc -l) files into $out"

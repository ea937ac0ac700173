#!/usr/bin/env bash
# Packages the production build (dist/, from `npm run build`) the way Grafana's plugin CI does: a zip whose only
# top-level entry is a folder named after the plugin id, holding dist's content, plus the zip's SHA-1 beside it.
# Prints the zip's path. Output directory: $1, default artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR="${1:-artifacts}"
if [ ! -f dist/plugin.json ] || [ ! -f dist/module.js ]; then
  echo "[package-plugin] dist/ has no plugin.json or module.js: run npm run build first" >&2
  exit 1
fi
ID="$(node -p "require('./dist/plugin.json').id")"
VERSION="$(node -p "require('./dist/plugin.json').info.version")"
ZIP="$ID-$VERSION.zip"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R dist "$STAGE/$ID"
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/$ZIP" "$OUT_DIR/$ZIP.sha1"
# -X: no extra file attributes, so the same dist gives the same entries.
(cd "$STAGE" && zip -qrX "$ZIP" "$ID")
mv "$STAGE/$ZIP" "$OUT_DIR/$ZIP"
(cd "$OUT_DIR" && sha1sum "$ZIP" | cut -d' ' -f1 >"$ZIP.sha1")
echo "$OUT_DIR/$ZIP"

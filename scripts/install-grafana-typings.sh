#!/usr/bin/env bash
# Unpacks Grafana 12.4's @grafana packages (the oldest Grafana the app supports: plugin.json's grafanaDependency)
# into .cache/grafana-typings-12.4.0/ (git-ignored), so tsconfig.grafana-12.4.json can type-check the app against
# their typings as well as against the installed ones. Only these packages come from 12.4: everything they import
# (react, rxjs, emotion, ...) resolves from the repository's node_modules, since the folder sits inside the
# repository. The tarballs come from the npm registry through npm's cache; reruns are skipped by a stamp.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=12.4.0
PACKAGES=(data ui runtime schema i18n e2e-selectors)
DIR=".cache/grafana-typings-$VERSION"
STAMP="$DIR/.stamp"
WANT="$VERSION ${PACKAGES[*]}"

if [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  echo "[grafana-typings] @grafana/{$(IFS=,; echo "${PACKAGES[*]}")}@$VERSION: already in $DIR"
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR/node_modules/@grafana" "$DIR/tarballs"
for p in "${PACKAGES[@]}"; do
  tarball="$(cd "$DIR/tarballs" && npm pack --silent "@grafana/$p@$VERSION")"
  mkdir -p "$DIR/node_modules/@grafana/$p"
  tar -xzf "$DIR/tarballs/$tarball" -C "$DIR/node_modules/@grafana/$p" --strip-components=1
done
rm -rf "$DIR/tarballs"
printf '%s\n' "$WANT" >"$STAMP"
echo "[grafana-typings] @grafana/{$(IFS=,; echo "${PACKAGES[*]}")}@$VERSION unpacked into $DIR"

#!/usr/bin/env bash
# What create-plugin's CI checks with levitate: does every @grafana/data, ui and runtime export the app uses (from
# src/module.tsx through all its imports, lazy ones included) exist with a compatible type in the given Grafana
# versions? Run against the minimum supported Grafana (plugin.json's grafanaDependency, 12.4) and the latest
# published one. Needs the npm registry; exits non-zero on any incompatibility.
set -euo pipefail
cd "$(dirname "$0")/.."

LEVITATE="@grafana/levitate@0.17.2"
PACKAGES=(@grafana/data @grafana/ui @grafana/runtime)
MINIMUM="$(node -p "require('./src/plugin.json').dependencies.grafanaDependency.replace(/^>=\s*/, '')")"

targets() {
  local IFS=, out=() p
  for p in "${PACKAGES[@]}"; do out+=("$p@$1"); done
  printf '%s' "${out[*]}"
}

status=0
for version in "$MINIMUM" "$(npm view @grafana/data@latest version)"; do
  echo "[check-compat] src/module.tsx against Grafana $version ($(targets "$version"))"
  npx --yes "$LEVITATE" is-compatible --path src/module.tsx --target "$(targets "$version")" || status=1
done
exit "$status"

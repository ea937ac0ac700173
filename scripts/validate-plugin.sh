#!/usr/bin/env bash
# Runs Grafana's plugin validator (plugincheck2, built by scripts/install-test-tools.sh) on the packaged plugin, as
# Grafana's plugin CI does: `npm run build` first, then this. Fails on any error an analyzer reports, and on any
# analyzer that could not run unless it is one of the online-only ones below.
#
# Each analyzer runs in its own validator process (-analyzer NAME runs it and its dependencies): the validator
# stops at the first analyzer that fails to run, so offline one unreachable web service would otherwise silently
# skip every analyzer listed after it. DEBUG=1 makes the validator log such a failure ("check failed").
set -euo pipefail
cd "$(dirname "$0")/.."

# Online only: each needs a web service at run time (reason after the name). They are not run.
ONLINE_ONLY=(
  "brokenlinks: requests every URL in plugin.json and the README"
  "org: looks the plugin id's organization up on grafana.com"
  "published-plugin: asks grafana.com whether the plugin is in the catalog"
  "version: compares with the catalog's latest published version (grafana.com)"
  "circulardependencies: reads the listed plugins' dependencies from grafana.com"
  "safelinks: Google Web Risk lookups of the links (needs an API key)"
  "provenance: GitHub's attestation API"
  "signature: downloads Grafana's signing keys from grafana.com (the plugin is unsigned until published)"
  "legacyplatform: downloads the Angular detection patterns from grafana.com"
  "metadatavalid: validates plugin.json against the schema it downloads from GitHub"
  "screenshots: needs metadatavalid's result (src/plugin.test.ts checks the listed files exist)"
  "metadatapaths: needs the screenshots analyzer's result (src/plugin.test.ts checks logos and screenshots exist)"
  "osv-scanner: asks the OSV vulnerability database online"
  "virusscan: clamscan with a freshly downloaded virus database"
  "llmreview: an LLM service (API key)"
  "codediff: an LLM service (API key)"
)

BIN_DIR="${HEXACTF_BIN:-${HEXACTF_CACHE:-$HOME/.cache/hexactf}/bin}"
VALIDATOR="$BIN_DIR/plugincheck2"
if [ ! -x "$VALIDATOR" ] || [ ! -s "$VALIDATOR.analyzers" ]; then
  echo "[validate-plugin] $VALIDATOR or its analyzer list is missing: run scripts/install-test-tools.sh" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ZIP="$(bash scripts/package-plugin.sh "$WORK")"
echo "[validate-plugin] $(basename "$ZIP") (sha1 $(cat "$ZIP.sha1")), source file://$PWD"

is_online_only() {
  local entry
  for entry in "${ONLINE_ONLY[@]}"; do [ "${entry%%:*}" = "$1" ] && return 0; done
  return 1
}

failed=() not_run=() ran=0
while read -r analyzer; do
  if is_online_only "$analyzer"; then continue; fi
  ran=$((ran + 1))
  log="$WORK/$analyzer.log"
  status=0
  # The checksum analyzer checks the .sha1 beside the zip against the zip.
  DEBUG=1 SKIP_LLM_REVIEW=1 SKIP_LLM_CODEDIFF=1 "$VALIDATOR" -config scripts/plugin-validator.yaml -analyzer "$analyzer" \
    -sourceCodeUri "file://$PWD" -checksum "$(cat "$ZIP.sha1")" "$ZIP" >"$log" 2>&1 || status=$?
  # What the validator reports (errors and warnings with their details), without its debug log.
  grep -v -e '\[DEBUG\]' -e '^\s*$' "$log" | sed "s/^/  [$analyzer] /" || true
  if grep -q 'check failed' "$log"; then
    not_run+=("$analyzer: $(grep -m1 'check failed' "$log" | sed 's/.*check failed: //')")
  fi
  [ "$status" -eq 0 ] || failed+=("$analyzer")
done <"$VALIDATOR.analyzers"

echo "[validate-plugin] ran $ran analyzers; skipped as online-only:"
printf '  %s\n' "${ONLINE_ONLY[@]}"
if [ "${#not_run[@]}" -gt 0 ]; then
  echo "[validate-plugin] could not run:" >&2
  printf '  %s\n' "${not_run[@]}" >&2
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "[validate-plugin] errors reported by: ${failed[*]}" >&2
fi
[ "${#not_run[@]}" -eq 0 ] && [ "${#failed[@]}" -eq 0 ]

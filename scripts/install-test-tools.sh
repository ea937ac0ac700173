#!/usr/bin/env bash
# Installs everything the tests need beyond npm, idempotently and without prompts:
#   - Debian packages: prometheus (prometheus + promtool), docker-compose, shellcheck, zip (plugin archive),
#     chromium, fonts-inter and fonts-liberation (the browser test, tests/browser: Grafana's typeface for the host
#     page, and a monospace face for the one Grafana ships as Roboto Mono)
#   - Go-built binaries into ${HEXACTF_BIN:-$HOME/.cache/hexactf/bin}: kube-apiserver, etcd, helm; Prometheus 3
#     (prometheus-3/prometheus, prometheus-3/promtool: the proofs run on Debian's 2.x and on 3.x); plugincheck2
#     (Grafana's plugin validator, run by .ci/run on the packaged plugin); victoria-metrics (single-node: the app's
#     queries are compared on it, src/test/victoriametrics.test.ts); challenge-operator-go-stand-in (the Go
#     baseline of operator/bench/memory-side-by-side.ts, built from operator/bench/go-baseline/ in this repository)
#   - Unicons' line icons into ${HEXACTF_BIN}/unicons: the set Grafana's server ships its unicons/ icons from, for the
#     browser test's host where @grafana/ui does not publish one (tests/browser/server.ts); only the SVGs are kept,
#     the package is not installed (its own dependencies are build tools)
# Every Go binary is built from the Go module proxy at a pinned version and skipped when a version stamp says it is
# already there, so reruns take a second. Builds run one after another (the machines have 2 cores).
# Arguments, if any, name the Go builds to run (etcd kube-apiserver helm prometheus-3 plugin-validator
# victoria-metrics thanos go-baseline); the Debian packages are always checked.
set -euo pipefail

KUBE_VERSION="${HEXACTF_KUBE_VERSION:-v1.37.2}" # newest release whose go.mod builds with Go 1.26
ETCD_VERSION="${HEXACTF_ETCD_VERSION:-v3.7.3}"  # the etcd minor line kube-apiserver 1.37 is built against
HELM_VERSION="${HEXACTF_HELM_VERSION:-v3.22.0}"
PROMETHEUS_MODULE_VERSION="${HEXACTF_PROMETHEUS_VERSION:-v0.316.0}" # the module's v0.3XY.Z is Prometheus 3.XY.Z
VALIDATOR_VERSION="${HEXACTF_PLUGIN_VALIDATOR_VERSION:-v0.39.3}"
VICTORIA_METRICS_VERSION="${HEXACTF_VICTORIA_METRICS_VERSION:-v1.151.0}" # newest whose go.mod builds with Go 1.26
THANOS_VERSION="${HEXACTF_THANOS_VERSION:-v0.42.5}"
# Thanos' go.mod asks for a newer Go than the machines have; the go command fetches this toolchain (a Go module).
THANOS_GOTOOLCHAIN="${HEXACTF_THANOS_GOTOOLCHAIN:-go1.27.3}"

UNICONS_VERSION="${HEXACTF_UNICONS_VERSION:-4.2.0}"

# Bumped whenever the way a binary is built changes, so caches built the old way are rebuilt once.
RECIPE=2

CACHE_DIR="${HEXACTF_CACHE:-$HOME/.cache/hexactf}"
BIN_DIR="${HEXACTF_BIN:-$CACHE_DIR/bin}"
BUILD_DIR="$CACHE_DIR/go-build-modules" # generated wrapper modules (go.mod + tiny main), never committed
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[install-test-tools] %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  { command -v promtool && command -v prometheus; } >/dev/null || missing+=(prometheus)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v zip >/dev/null || missing+=(zip)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -f /usr/share/fonts/opentype/inter/Inter-Regular.otf ] || missing+=(fonts-inter)
  [ -f /usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf ] || missing+=(fonts-liberation)
  if [ "${#missing[@]}" -eq 0 ]; then
    log "debian packages: prometheus, promtool, docker-compose, shellcheck, zip, chromium, fonts-inter, fonts-liberation already there"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    log "missing ${missing[*]} and no apt-get on this machine: install them with your package manager" >&2
    exit 1
  fi
  log "debian packages: installing ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# is_current NAME VERSION: the binary exists and its stamp records VERSION built by this RECIPE.
is_current() {
  [ -x "$BIN_DIR/$1" ] && [ "$(cat "$BIN_DIR/.$1.version" 2>/dev/null)" = "$2 recipe $RECIPE" ]
}

stamp() { printf '%s recipe %s\n' "$2" "$RECIPE" >"$BIN_DIR/.$1.version"; }

# go_build DIR OUT PACKAGE [LDFLAGS...]: a static, stripped build inside a wrapper module.
go_build() {
  local dir=$1 out=$2 pkg=$3
  shift 3
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS='-mod=mod -buildvcs=false' GOWORK=off \
    go build -trimpath -ldflags="-s -w $*" -o "$out" "$pkg")
}

# go_mod_file MODULE@VERSION: path of that module's go.mod in the module cache (downloads it if needed).
go_mod_file() {
  (cd "$BUILD_DIR" && go mod download -json "$1") | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p'
}

# k8s.io/kubernetes replaces every k8s.io/<staging> module with a directory in its own tree, and replace directives
# of a dependency are ignored, so `go install` cannot build it. A wrapper module requires it and points each staging
# module at its published v0.X.Y twin instead.
build_kube_apiserver() {
  local name=kube-apiserver version="$KUBE_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS dir="$BUILD_DIR/kubernetes-$version" staging="v0.${version#v1.}"
  mkdir -p "$dir"
  log "$name $version: building (staging modules at $staging)"
  local modfile
  modfile="$(go_mod_file "k8s.io/kubernetes@$version")"
  local go_directive godebug
  go_directive="$(sed -n 's/^go \(.*\)$/\1/p' "$modfile" | head -1)"
  godebug="$(grep -E '^godebug ' "$modfile" || true)"
  {
    printf 'module hexactf.local/kube-apiserver-build\n\ngo %s\n\n' "$go_directive"
    [ -n "$godebug" ] && printf '%s\n\n' "$godebug"
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$version"
    # Staging modules: published twins. Other replaces of the upstream go.mod are kept as written.
    sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/k8s\.io/.*$#\t\1 => \1 '"$staging"'#p' "$modfile"
    grep -E '^\s*[^/ ]+\S* (v\S+ )?=> [^.]' "$modfile" | grep -v 'staging/' || true
    printf ')\n'
  } >"$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && GOFLAGS=-mod=mod go mod download k8s.io/kubernetes >/dev/null)
  # What the release build stamps in (hack/lib/version.sh): without it /version says v0.0.0-master.
  local minor="${version#v1.}" ldflags=() pkg
  minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=("-X $pkg.gitVersion=$version" "-X $pkg.gitMajor=1" "-X $pkg.gitMinor=$minor" "-X $pkg.gitTreeState=clean")
  done
  go_build "$dir" "$BIN_DIR/$name.tmp" k8s.io/kubernetes/cmd/kube-apiserver "${ldflags[@]}"
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

# etcd's own main module replaces its sibling modules by paths; the server module exports etcdmain.Main, so a
# three-line main in a wrapper module builds the same server.
build_etcd() {
  local name=etcd version="$ETCD_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS dir="$BUILD_DIR/etcd-$version"
  mkdir -p "$dir"
  log "$name $version: building"
  cat >"$dir/main.go" <<'EOF'
// Command etcd: the etcd server, built from go.etcd.io/etcd/server/v3 for tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  printf 'module hexactf.local/etcd-build\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$version" >"$dir/go.mod"
  rm -f "$dir/go.sum"
  go_build "$dir" "$BIN_DIR/$name.tmp" .
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

build_helm() {
  local name=helm version="$HELM_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS
  log "$name $version: building"
  # As helm's Makefile does: its own version, and the Kubernetes version `helm template` assumes, taken from the
  # client-go it is built with (else Capabilities.KubeVersion says v1.20).
  local kube_minor
  kube_minor="$(sed -n 's#^\s*k8s\.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$(go_mod_file "helm.sh/helm/v3@$version")" | head -1)"
  (cd "$BUILD_DIR" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false GOBIN="$BIN_DIR" go install -trimpath \
    -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
      -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kube_minor \
      -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kube_minor" \
    "helm.sh/helm/v3/cmd/helm@$version")
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

# Prometheus 3 from its Go module: `go install` works (no replace directives). Built without the `builtinassets` tag:
# the web UI's assets are not in the module, the HTTP API (all the tests use) works without them. Both binaries go
# to their own directory so they never shadow Debian's 2.x on PATH.
build_prometheus_3() {
  local name=prometheus-3 version="$PROMETHEUS_MODULE_VERSION"
  local dir="$BIN_DIR/$name" release
  # Module v0.3MM.P is release 3.MM.P: v0.316.0 -> 3.16.0, v0.300.1 -> 3.0.1.
  release="3.$(printf '%s' "${version#v0.3}" | sed 's/^0*\([0-9]\)/\1/')"
  if [ -x "$dir/prometheus" ] && [ -x "$dir/promtool" ] && [ "$(cat "$BIN_DIR/.$name.version" 2>/dev/null)" = "$version recipe $RECIPE" ]; then
    log "$name $version (Prometheus $release): already installed"
    return
  fi
  local start=$SECONDS pkg
  log "$name $version (Prometheus $release): building prometheus and promtool"
  mkdir -p "$dir"
  for pkg in prometheus promtool; do
    (cd "$BUILD_DIR" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false GOBIN="$dir" go install -trimpath -tags netgo \
      -ldflags="-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=HEAD" \
      "github.com/prometheus/prometheus/cmd/$pkg@$version")
  done
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s ($("$dir/prometheus" --version 2>&1 | head -1))"
}

# Grafana's plugin validator (Apache-2.0), its plugincheck2 command, built inside a wrapper module that requires it:
# `go install ...@version` also asks the proxy for the module's version list (deprecation notices), which the proxy
# refuses for this module.
build_plugin_validator() {
  local name=plugincheck2 version="$VALIDATOR_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS dir="$BUILD_DIR/plugin-validator-$version"
  log "$name $version: building"
  mkdir -p "$dir"
  printf 'module hexactf.local/plugin-validator-build\n\ngo 1.26.0\n\nrequire github.com/grafana/plugin-validator %s\n' "$version" >"$dir/go.mod"
  rm -f "$dir/go.sum"
  go_build "$dir" "$BIN_DIR/$name.tmp" github.com/grafana/plugin-validator/pkg/cmd/plugincheck2
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  # The names of its analyzers, in its own order (scripts/validate-plugin.sh runs them one by one): the packages
  # listed in passes/analysis.go, each package's `Name:`.
  local passes
  passes="$(cd "$BUILD_DIR" && go mod download -json "github.com/grafana/plugin-validator@$version" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')/pkg/analysis/passes"
  sed -n '/^var Analyzers/,/^}/s/^\s*\([a-z0-9]*\)\.Analyzer,$/\1/p' "$passes/analysis.go" | while read -r pkg; do
    grep -h -A1 '^var Analyzer = &analysis.Analyzer{' "$passes/$pkg"/*.go | sed -n 's/.*Name:\s*"\([^"]*\)".*/\1/p' | head -1
  done >"$BIN_DIR/$name.analyzers"
  [ "$(wc -l <"$BIN_DIR/$name.analyzers")" -gt 40 ] || { log "$name: could not list its analyzers" >&2; exit 1; }
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

# VictoriaMetrics' single-node server; its module has no replace directives, so `go install` builds it.
build_victoria_metrics() {
  local name=victoria-metrics version="$VICTORIA_METRICS_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS
  log "$name $version: building"
  (cd "$BUILD_DIR" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false GOBIN="$BIN_DIR" go install -trimpath \
    -ldflags="-s -w" "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@$version")
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

# Thanos' main module has replace directives, which `go install` refuses; a wrapper module requires it and restates
# them (copied from its go.mod). Built with -tags slicelabels, as its Makefile builds it (the label layout its
# code is written for). Its go.mod needs a newer Go than the machine's: GOTOOLCHAIN for this build only.
build_thanos() {
  local name=thanos version="$THANOS_VERSION"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS dir="$BUILD_DIR/thanos-$version" modfile
  mkdir -p "$dir"
  log "$name $version: building with $THANOS_GOTOOLCHAIN"
  modfile="$(cd "$BUILD_DIR" && GOTOOLCHAIN="$THANOS_GOTOOLCHAIN" go mod download -json "github.com/thanos-io/thanos@$version" |
    sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
  {
    printf 'module hexactf.local/thanos-build\n\ngo %s\n\n' "$(sed -n 's/^go \(.*\)$/\1/p' "$modfile" | head -1)"
    printf 'require github.com/thanos-io/thanos %s\n\n' "$version"
    sed -n '/^replace (/,/^)/p' "$modfile"
    grep -E '^replace [^(]' "$modfile" || true
  } >"$dir/go.mod"
  grep -q '=>' "$dir/go.mod" || { log "$name: no replace directives found in $modfile" >&2; exit 1; }
  rm -f "$dir/go.sum"
  (cd "$dir" && GOTOOLCHAIN="$THANOS_GOTOOLCHAIN" CGO_ENABLED=0 GOFLAGS='-mod=mod -buildvcs=false' GOWORK=off \
    go build -trimpath -tags slicelabels \
      -ldflags="-s -w -X github.com/prometheus/common/version.Version=${version#v} -X github.com/prometheus/common/version.Branch=HEAD" \
      -o "$BIN_DIR/$name.tmp" github.com/thanos-io/thanos/cmd/thanos)
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s ($("$BIN_DIR/$name" --version 2>&1 | head -1))"
}

# The benchmark's Go baseline: a controller-runtime operator in the shape of the original Go challenge operator (a
# stand-in, not that operator: operator/bench/go-baseline/README.md). Its module (go.mod, go.sum, main.go) is in
# this repository; the stamp is a hash of those files, so an edit rebuilds it.
build_go_baseline() {
  local name=challenge-operator-go-stand-in dir="$REPO_DIR/operator/bench/go-baseline" version
  version="src-$(cat "$dir/go.mod" "$dir/go.sum" "$dir/main.go" | sha256sum | cut -c1-16)"
  if is_current "$name" "$version"; then log "$name $version: already installed"; return; fi
  local start=$SECONDS
  log "$name $version: building from operator/bench/go-baseline"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS='-mod=readonly -buildvcs=false' GOWORK=off \
    go build -trimpath -ldflags="-s -w" -o "$BIN_DIR/$name.tmp" .)
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  stamp "$name" "$version"
  log "$name $version: built in $((SECONDS - start))s"
}

install_unicons() {
  local dir="$BIN_DIR/unicons" tmp
  if is_current unicons "$UNICONS_VERSION"; then log "unicons $UNICONS_VERSION: already installed"; return; fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "@iconscout/unicons@$UNICONS_VERSION" >/dev/null && tar xzf ./*.tgz package/svg/line)
  rm -rf "$dir" && mv "$tmp/package/svg/line" "$dir" && rm -rf "$tmp"
  stamp unicons "$UNICONS_VERSION"
  log "unicons $UNICONS_VERSION: $(find "$dir" -name '*.svg' | wc -l) line icons in $dir"
}

main() {
  install_debian_packages
  if ! command -v go >/dev/null; then
    log "go is not on PATH: it is needed to build kube-apiserver, etcd, helm, Prometheus 3, the plugin validator, VictoriaMetrics, Thanos and the Go baseline" >&2
    exit 1
  fi
  mkdir -p "$BIN_DIR" "$BUILD_DIR"
  install_unicons
  log "go $(go env GOVERSION), module cache $(go env GOMODCACHE), binaries in $BIN_DIR"
  local builds=("$@") b
  [ "${#builds[@]}" -gt 0 ] || builds=(etcd kube-apiserver helm prometheus-3 plugin-validator victoria-metrics thanos go-baseline)
  for b in "${builds[@]}"; do
    case "$b" in
      etcd) build_etcd ;;
      kube-apiserver) build_kube_apiserver ;;
      helm) build_helm ;;
      prometheus-3) build_prometheus_3 ;;
      plugin-validator) build_plugin_validator ;;
      victoria-metrics) build_victoria_metrics ;;
      thanos) build_thanos ;;
      go-baseline) build_go_baseline ;;
      *) log "unknown build: $b" >&2; exit 2 ;;
    esac
  done
  log "done"
}

main "$@"

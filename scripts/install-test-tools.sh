#!/usr/bin/env bash
# Installs everything the tests need beyond npm, idempotently and without prompts:
#   - Debian packages: prometheus (prometheus + promtool), docker-compose, shellcheck
#   - Go-built binaries: kube-apiserver, etcd, helm into ${HEXACTF_BIN:-$HOME/.cache/hexactf/bin}
# Every Go binary is built from the Go module proxy at a pinned version and skipped when a version stamp says it is
# already there, so reruns take a second. Builds run one after another (the machines have 2 cores).
set -euo pipefail

KUBE_VERSION="${HEXACTF_KUBE_VERSION:-v1.37.2}" # newest release whose go.mod builds with Go 1.26
ETCD_VERSION="${HEXACTF_ETCD_VERSION:-v3.7.3}"  # the etcd minor line kube-apiserver 1.37 is built against
HELM_VERSION="${HEXACTF_HELM_VERSION:-v3.22.0}"

# Bumped whenever the way a binary is built changes, so caches built the old way are rebuilt once.
RECIPE=2

CACHE_DIR="${HEXACTF_CACHE:-$HOME/.cache/hexactf}"
BIN_DIR="${HEXACTF_BIN:-$CACHE_DIR/bin}"
BUILD_DIR="$CACHE_DIR/go-build-modules" # generated wrapper modules (go.mod + tiny main), never committed

log() { printf '[install-test-tools] %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  { command -v promtool && command -v prometheus; } >/dev/null || missing+=(prometheus)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  if [ "${#missing[@]}" -eq 0 ]; then
    log "debian packages: prometheus, promtool, docker-compose, shellcheck already on PATH"
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

main() {
  install_debian_packages
  if ! command -v go >/dev/null; then
    log "go is not on PATH: it is needed to build kube-apiserver, etcd and helm" >&2
    exit 1
  fi
  mkdir -p "$BIN_DIR" "$BUILD_DIR"
  log "go $(go env GOVERSION), module cache $(go env GOMODCACHE), binaries in $BIN_DIR"
  build_etcd
  build_kube_apiserver
  build_helm
  log "done"
}

main "$@"

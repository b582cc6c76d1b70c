#!/usr/bin/env bash
# Build meridian's real-engine toolchain from Go modules into .tools/ (ignored by git).
#
#   tools/setup-engine.sh [--jobs N] [--force] [--status] [TARGET...]
#
# TARGETs (default: all):
#   pulumi           Pulumi CLI v3.248.0                         -> .tools/bin/pulumi
#   language-nodejs  meridian's minimal Node.js language host    -> .tools/bin/pulumi-language-nodejs
#                    (+ .tools/bin/pulumi-resource-pulumi-nodejs shim for dynamic providers)
#   kubernetes       pulumi-resource-kubernetes (see tools/kubernetes-provider/go.mod)
#                    -> .tools/pulumi-home/plugins/resource-kubernetes-vX.Y.Z/
#   etcd             etcd v3.6.16                                -> .tools/bin/etcd
#   kube             kube-apiserver + kube-controller-manager v1.34.4 -> .tools/bin/
#   s3               S3 API server (gofakes3 v1.2.0, tools/s3)     -> .tools/bin/meridian-s3
#   kms              AWS KMS emulator (local-kms, tools/kms)       -> .tools/bin/meridian-kms
# Groups: engine = pulumi language-nodejs kubernetes; control-plane = etcd kube;
#         emulators = s3 kms; all = every target.
#
# Idempotent: a target is skipped when .tools/stamps/TARGET matches the hash of its wrapper
# module (go.mod, go.sum, our sources), the build flags and the Go version, and its outputs
# exist. --force rebuilds. Builds run one at a time (the machine has 2 cores); --jobs N (or
# MERIDIAN_BUILD_JOBS) is passed to `go build -p` and defaults to nproc.
# Uses the default GOCACHE/GOMODCACHE, so a second machine session / CI run is warm.
# Needs only the Go toolchain and the Go module proxy; nothing is downloaded at run time.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
LOGS="$TOOLS/logs"
BUILD="$TOOLS/build"
export PULUMI_HOME="${PULUMI_HOME:-$TOOLS/pulumi-home}"

PULUMI_VERSION=3.248.0
# The Pulumi Kubernetes provider module the proxy serves (see docs/engine-lane.md):
K8S_PROVIDER_VERSION=4.25.0
# Extra plugin directory names the same provider binary is installed under, so that an
# @pulumi/kubernetes npm package of that version finds it. Empty (the default): package.json
# pins @pulumi/kubernetes to exactly the provider version built here.
K8S_PROVIDER_ALIASES="${MERIDIAN_K8S_PLUGIN_ALIASES-}"
KUBE_VERSION=v1.34.4
ETCD_VERSION=v3.6.16

JOBS="${MERIDIAN_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
FORCE=0
STATUS_ONLY=0
TARGETS=()

ts() { date +%H:%M:%S; }
log() { printf '[%s] setup-engine: %s\n' "$(ts)" "$*"; }
die() { printf '[%s] setup-engine: ERROR: %s\n' "$(ts)" "$*" >&2; exit 1; }

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --jobs|-j) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS="$2"; shift 2 ;;
    --jobs=*) JOBS="${1#--jobs=}"; shift ;;
    --force) FORCE=1; shift ;;
    --status) STATUS_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer, got '$JOBS'"

expand() {
  case "$1" in
    all) echo "pulumi language-nodejs kubernetes etcd kube s3 kms" ;;
    engine) echo "pulumi language-nodejs kubernetes" ;;
    control-plane|controlplane) echo "etcd kube" ;;
    emulators) echo "s3 kms" ;;
    pulumi|language-nodejs|kubernetes|etcd|kube|s3|kms) echo "$1" ;;
    kubernetes-provider) echo kubernetes ;;
    *) die "unknown target '$1' (pulumi, language-nodejs, kubernetes, etcd, kube, s3, kms, engine, control-plane, emulators, all)" ;;
  esac
}
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(all)
SELECTED=()
for t in "${TARGETS[@]}"; do
  for x in $(expand "$t"); do
    [[ " ${SELECTED[*]-} " == *" $x "* ]] || SELECTED+=("$x")
  done
done

# --- per-target definitions ---------------------------------------------------------------
moddir() {
  case "$1" in
    pulumi) echo "$SCRIPT_DIR/pulumi" ;;
    language-nodejs) echo "$SCRIPT_DIR/language-nodejs" ;;
    kubernetes) echo "$SCRIPT_DIR/kubernetes-provider" ;;
    etcd) echo "$SCRIPT_DIR/etcd" ;;
    kube) echo "$SCRIPT_DIR/kube" ;;
    s3) echo "$SCRIPT_DIR/s3" ;;
    kms) echo "$SCRIPT_DIR/kms" ;;
  esac
}
outputs() {
  case "$1" in
    pulumi) echo "$BIN/pulumi" ;;
    language-nodejs) echo "$BIN/pulumi-language-nodejs $BIN/pulumi-resource-pulumi-nodejs" ;;
    kubernetes)
      local o="$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION/pulumi-resource-kubernetes" a
      for a in $K8S_PROVIDER_ALIASES; do o="$o $PULUMI_HOME/plugins/resource-kubernetes-v$a/pulumi-resource-kubernetes"; done
      echo "$o" ;;
    etcd) echo "$BIN/etcd" ;;
    kube) echo "$BIN/kube-apiserver $BIN/kube-controller-manager" ;;
    s3) echo "$BIN/meridian-s3" ;;
    kms) echo "$BIN/meridian-kms" ;;
  esac
}
flags() {
  case "$1" in
    pulumi|language-nodejs) echo "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" ;;
    kubernetes) echo "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" ;;
    etcd|s3|kms) echo "" ;;
    kube)
      local maj=${KUBE_VERSION#v}; maj=${maj%%.*}
      local min=${KUBE_VERSION#v*.}; min=${min%%.*}
      local p
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        printf -- '-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
          "$p" "$KUBE_VERSION" "$p" "$maj" "$p" "$min" "$p"
      done ;;
  esac
}

hint() {
  case "$1" in
    pulumi) echo "~9 min" ;; language-nodejs) echo "~1 min" ;; kubernetes) echo "~15-25 min" ;;
    etcd) echo "~2 min" ;; kube) echo "~20-35 min" ;;
    s3) echo "~1-2 min" ;; kms) echo "~3 min" ;;
  esac
}

# Hash of everything that determines a target's outputs.
stamp_key() {
  local t=$1 dir; dir=$(moddir "$t")
  {
    echo "target=$t"
    echo "go=$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
    echo "flags=$(flags "$t")"
    echo "outputs=$(outputs "$t")"
    (cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' \) \
        -not -name '*-embed.json' | LC_ALL=C sort | xargs sha256sum)
    sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
  } | sha256sum | cut -d' ' -f1
}

up_to_date() {
  local t=$1 f
  [ "$FORCE" = 0 ] || return 1
  [ -f "$STAMPS/$t" ] || return 1
  [ "$(cat "$STAMPS/$t")" = "$(stamp_key "$t")" ] || return 1
  for f in $(outputs "$t"); do [ -x "$f" ] || return 1; done
}

# go_build TARGET OUT PKG: build one binary, atomically replacing OUT.
go_build() {
  local t=$1 out=$2 pkg=$3 dir; dir=$(moddir "$t")
  local logf="$LOGS/$t.log" start=$SECONDS
  log "  go build $pkg -> ${out#"$ROOT"/} (log: ${logf#"$ROOT"/})"
  mkdir -p "$(dirname "$out")"
  if ! (cd "$dir" && go build -mod=readonly -buildvcs=false -p "$JOBS" -trimpath \
          -ldflags "-s -w $(flags "$t")" -o "$out.tmp" "$pkg") >>"$logf" 2>&1; then
    echo "----- last 40 lines of $logf -----" >&2
    tail -n 40 "$logf" >&2
    rm -f "$out.tmp"
    die "building $pkg for target '$t' failed (full log: $logf)"
  fi
  mv -f "$out.tmp" "$out"
  log "  built ${out#"$ROOT"/} in $((SECONDS - start))s ($(du -h "$out" | cut -f1))"
}

install_plugin() { # KIND NAME VERSION BINARY
  local dir="$PULUMI_HOME/plugins/$1-$2-v$3"
  mkdir -p "$dir"
  rm -f "$dir.partial" "$dir/.partial"
  # Hard link when possible (the kubernetes provider is ~300 MB and is installed twice).
  ln -f "$4" "$dir/pulumi-$1-$2.tmp" 2>/dev/null || cp -f "$4" "$dir/pulumi-$1-$2.tmp"
  mv -f "$dir/pulumi-$1-$2.tmp" "$dir/pulumi-$1-$2"
  log "  installed plugin $1 $2 v$3 -> ${dir#"$ROOT"/}/"
}

build_target() {
  local t=$1 dir; dir=$(moddir "$t")
  case "$t" in
    pulumi)
      go_build pulumi "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ;;
    language-nodejs)
      go_build language-nodejs "$BIN/pulumi-language-nodejs" .
      install -m 0755 "$dir/pulumi-resource-pulumi-nodejs.sh" "$BIN/pulumi-resource-pulumi-nodejs" ;;
    kubernetes)
      local mod src
      log "  generating schema-embed.json + terraform-mapping-embed.json (version $K8S_PROVIDER_VERSION)"
      mod=$(cd "$dir" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 \
            | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
      [ -n "$mod" ] && [ -d "$mod" ] || die "cannot download github.com/pulumi/pulumi-kubernetes/provider/v4 (see go.mod in $dir)"
      src="$mod/cmd/pulumi-resource-kubernetes"
      (cd "$dir" && go run -mod=readonly ./gen "$src" "$K8S_PROVIDER_VERSION" .) >>"$LOGS/$t.log" 2>&1 \
        || { tail -n 20 "$LOGS/$t.log" >&2; die "schema generation failed"; }
      go_build kubernetes "$BUILD/kubernetes/pulumi-resource-kubernetes" .
      install_plugin resource kubernetes "$K8S_PROVIDER_VERSION" "$BUILD/kubernetes/pulumi-resource-kubernetes"
      local a
      for a in $K8S_PROVIDER_ALIASES; do
        [ "$a" = "$K8S_PROVIDER_VERSION" ] && continue
        install_plugin resource kubernetes "$a" "$BUILD/kubernetes/pulumi-resource-kubernetes"
        log "  NOTE: resource-kubernetes-v$a is the v$K8S_PROVIDER_VERSION provider build (alias; see docs/engine-lane.md)"
      done ;;
    etcd)
      go_build etcd "$BIN/etcd" go.etcd.io/etcd/server/v3 ;;
    s3)
      go_build s3 "$BIN/meridian-s3" . ;;
    kms)
      go_build kms "$BIN/meridian-kms" . ;;
    kube)
      go_build kube "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
      go_build kube "$BIN/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager ;;
  esac
}

# --- main ---------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go is not on PATH (need Go >= 1.26; /usr/local/go/bin on the project's machines)"
mkdir -p "$BIN" "$STAMPS" "$LOGS" "$BUILD" "$PULUMI_HOME/plugins"

if [ "$STATUS_ONLY" = 1 ]; then
  for t in "${SELECTED[@]}"; do
    if up_to_date "$t"; then echo "$t: up to date"; else echo "$t: needs build"; fi
  done
  exit 0
fi

# One builder at a time (parallel test workers may all call this).
exec 9>"$TOOLS/setup.lock"
if ! flock -n 9; then
  log "another setup-engine.sh is running; waiting for it"
  flock 9
fi

log "root=$ROOT go=$(go env GOVERSION) jobs=$JOBS targets=${SELECTED[*]}"
log "GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) PULUMI_HOME=$PULUMI_HOME"
total=$SECONDS
for t in "${SELECTED[@]}"; do
  if up_to_date "$t"; then
    log "$t: up to date (stamp $STAMPS/$t), skipping"
    continue
  fi
  log "$t: building (cold cache on 2 busy cores: $(hint "$t"); warm: under a minute)"
  : >"$LOGS/$t.log"
  start=$SECONDS
  build_target "$t"
  stamp_key "$t" >"$STAMPS/$t"
  log "$t: done in $((SECONDS - start))s"
done

if [ -x "$BIN/pulumi" ] && [[ " ${SELECTED[*]} " == *" kubernetes "* || " ${SELECTED[*]} " == *" pulumi "* ]]; then
  log "plugins visible to pulumi (PULUMI_HOME=$PULUMI_HOME):"
  PULUMI_SKIP_UPDATE_CHECK=true "$BIN/pulumi" plugin ls 2>&1 | sed 's/^/    /' || true
fi
log "all requested targets ready in $((SECONDS - total))s; now: source tools/env.sh"

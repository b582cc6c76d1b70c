# Source me (bash or zsh):  source tools/env.sh
# Puts meridian's locally built engine (tools/setup-engine.sh) first on PATH and makes the
# Pulumi CLI use only what is in the project: no update checks, no plugin downloads, no
# plugins picked up from PATH. Safe to source more than once.

if [ -n "${BASH_SOURCE:-}" ]; then
  _meridian_env_src="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
  # shellcheck disable=SC2296
  _meridian_env_src="${(%):-%x}"
else
  _meridian_env_src="$0"
fi
MERIDIAN_ROOT="$(cd "$(dirname "$_meridian_env_src")/.." && pwd)"
unset _meridian_env_src
export MERIDIAN_ROOT
export MERIDIAN_TOOLS_BIN="$MERIDIAN_ROOT/.tools/bin"

case ":$PATH:" in
  *":$MERIDIAN_TOOLS_BIN:"*) ;;
  *) export PATH="$MERIDIAN_TOOLS_BIN:$PATH" ;;
esac

# Plugins (pulumi-resource-kubernetes, ...) live here; setup-engine.sh installs them.
export PULUMI_HOME="$MERIDIAN_ROOT/.tools/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Only ignores plugins found on $PATH. Plugins under $PULUMI_HOME/plugins and the language
# host next to the pulumi binary (.tools/bin/pulumi-language-nodejs) are still used.
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
# No Pulumi Cloud on this network: a local file backend per domain (the orchestrator refuses one
# backend for two domains, and a set PULUMI_BACKEND_URL), unless the caller chose them.
export MERIDIAN_BACKEND_EU="${MERIDIAN_BACKEND_EU:-file://$MERIDIAN_ROOT/.tools/pulumi-state/eu}"
export MERIDIAN_BACKEND_US="${MERIDIAN_BACKEND_US:-file://$MERIDIAN_ROOT/.tools/pulumi-state/us}"
mkdir -p "$MERIDIAN_ROOT/.tools/pulumi-state/eu" "$MERIDIAN_ROOT/.tools/pulumi-state/us" 2>/dev/null || true
# envtest-compatible: controller-runtime and similar tools find etcd/kube-apiserver here.
export KUBEBUILDER_ASSETS="$MERIDIAN_TOOLS_BIN"

# Executed instead of sourced (`bash tools/env.sh --json`): print the variables above as a
# JSON object, for test harnesses that spawn pulumi themselves (merge it into process.env).
if [ -n "${BASH_SOURCE:-}" ] && [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = "--json" ]; then
  _q() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
  printf '{'
  _sep=""
  for _v in PATH PULUMI_HOME PULUMI_SKIP_UPDATE_CHECK PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION \
            PULUMI_IGNORE_AMBIENT_PLUGINS MERIDIAN_BACKEND_EU MERIDIAN_BACKEND_US KUBEBUILDER_ASSETS MERIDIAN_ROOT MERIDIAN_TOOLS_BIN; do
    printf '%s"%s": "%s"' "$_sep" "$_v" "$(_q "${!_v}")"
    _sep=", "
  done
  printf '}\n'
fi

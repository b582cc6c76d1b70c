#!/usr/bin/env bash
# End-to-end smoke test of the real-engine lane, with no downloads at run time except the
# npm packages of two tiny throw-away projects (made in a temp dir, never committed):
#   1. the local control plane: kubectl works, Pod Security admission rejects a privileged
#      pod in a restricted namespace, a ValidatingAdmissionPolicy (CEL) rejects an object;
#   2. the Pulumi CLI + language host + kubernetes plugin: `pulumi up` of a Node.js program
#      creates a Namespace in the local API server;
#   3. a Node.js policy pack (@pulumi/policy) given with --policy-pack blocks a resource.
# Needs: tools/setup-engine.sh done, node + npm on PATH. Prints "N passed, N failed".
#   tools/engine-smoke.sh [--keep]      (--keep leaves the temp dir for inspection)
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
source "$SCRIPT_DIR/env.sh"
KEEP=0; [ "${1:-}" = "--keep" ] && KEEP=1

# The throw-away projects use the project's own pins (package.json), so the smoke test runs
# the SDK and plugin versions the program runs.
project_pin() { node -p "require('$SCRIPT_DIR/../package.json').dependencies['$1']"; }
PULUMI_NPM_VERSION=${MERIDIAN_SMOKE_PULUMI_NPM:-$(project_pin @pulumi/pulumi)}
K8S_NPM_VERSION=${MERIDIAN_SMOKE_K8S_NPM:-$(project_pin @pulumi/kubernetes)}
POLICY_NPM_VERSION=${MERIDIAN_SMOKE_POLICY_NPM:-$(project_pin @pulumi/policy)}

WORK=$(mktemp -d /tmp/meridian-engine-smoke.XXXXXX)
CP="$WORK/cp"
PASS=0; FAIL=0
ts() { date +%H:%M:%S; }
log() { printf '[%s] smoke: %s\n' "$(ts)" "$*"; }
ok() { PASS=$((PASS + 1)); log "PASS $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL $*"; }

cleanup() {
  "$SCRIPT_DIR/control-plane.sh" stop "$CP" >/dev/null 2>&1 || true
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  echo "$PASS passed, $FAIL failed"
}
trap cleanup EXIT

for b in pulumi pulumi-language-nodejs etcd kube-apiserver kube-controller-manager; do
  command -v "$b" >/dev/null || { bad "missing $b: run tools/setup-engine.sh"; exit 1; }
done
command -v kubectl >/dev/null || { bad "kubectl not on PATH"; exit 1; }

# --- 1. control plane ---------------------------------------------------------------------
log "starting control plane in $CP"
if "$SCRIPT_DIR/control-plane.sh" start "$CP" --owner $$ >/dev/null; then ok "control plane /readyz"; else bad "control plane start"; exit 1; fi
export KUBECONFIG="$CP/kubeconfig"
K() { kubectl --request-timeout=30s "$@"; }

if K get ns default >/dev/null 2>&1; then ok "kubectl get ns"; else bad "kubectl get ns"; fi

K create namespace smoke-restricted >/dev/null
K label namespace smoke-restricted pod-security.kubernetes.io/enforce=restricted >/dev/null
# The ServiceAccount admission plugin rejects pods until the controller manager has made the
# namespace's "default" service account.
for _ in $(seq 1 30); do K -n smoke-restricted get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
out=$(K -n smoke-restricted apply -f - 2>&1 <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers:
  - name: c
    image: busybox
    securityContext: {privileged: true}
EOF
)
if [[ "$out" == *"violates PodSecurity"* ]]; then ok "PodSecurity restricted rejects a privileged pod"; else bad "PodSecurity: $out"; fi

K apply -f - >/dev/null <<'EOF'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: smoke-require-team}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["configmaps"]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: "configmaps need a team label"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: smoke-require-team}
spec:
  policyName: smoke-require-team
  validationActions: [Deny]
EOF
# The policy takes a moment to be loaded by the API server.
vap=""
for _ in $(seq 1 30); do
  vap=$(K -n default create configmap smoke-unlabelled --from-literal=a=b 2>&1)
  [[ "$vap" == *"configmaps need a team label"* ]] && break
  K -n default delete configmap smoke-unlabelled >/dev/null 2>&1 || true
  sleep 1
done
if [[ "$vap" == *"configmaps need a team label"* ]]; then ok "ValidatingAdmissionPolicy (CEL) rejects an object"; else bad "VAP: $vap"; fi
if K -n default create configmap smoke-labelled --from-literal=a=b >/dev/null 2>&1 &&
   K -n default label configmap smoke-labelled team=x >/dev/null 2>&1; then :; fi
K delete validatingadmissionpolicybinding smoke-require-team >/dev/null 2>&1
K delete validatingadmissionpolicy smoke-require-team >/dev/null 2>&1

# --- 2. pulumi up -------------------------------------------------------------------------
export PULUMI_BACKEND_URL="file://$WORK/state" PULUMI_CONFIG_PASSPHRASE=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')  # throwaway, per run
mkdir -p "$WORK/state" "$WORK/prog" "$WORK/policy"
cat >"$WORK/prog/package.json" <<EOF
{"name": "smoke", "version": "0.0.0", "private": true, "main": "index.js",
 "dependencies": {"@pulumi/pulumi": "$PULUMI_NPM_VERSION", "@pulumi/kubernetes": "$K8S_NPM_VERSION"}}
EOF
printf 'name: smoke\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n' >"$WORK/prog/Pulumi.yaml"
cat >"$WORK/prog/index.js" <<'EOF'
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const cfg = new pulumi.Config();
const provider = new k8s.Provider("local", { kubeconfig: fs.readFileSync(process.env.KUBECONFIG, "utf8") });
const ns = new k8s.core.v1.Namespace("smoke", {
  metadata: { name: "smoke-pulumi", labels: { "meridian/blocked": cfg.get("blocked") || "false" } },
}, { provider });
exports.namespace = ns.metadata.name;
EOF
cat >"$WORK/policy/package.json" <<EOF
{"name": "smoke-policy", "version": "0.0.1", "private": true, "main": "index.js",
 "dependencies": {"@pulumi/pulumi": "$PULUMI_NPM_VERSION", "@pulumi/policy": "$POLICY_NPM_VERSION"}}
EOF
printf 'runtime: nodejs\ndescription: smoke policy pack\n' >"$WORK/policy/PulumiPolicy.yaml"
cat >"$WORK/policy/index.js" <<'EOF'
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("smoke-policy", { policies: [{
  name: "no-blocked-namespaces", description: "Namespaces labelled meridian/blocked=true are refused.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const labels = (args.props.metadata || {}).labels || {};
    if (args.type === "kubernetes:core/v1:Namespace" && labels["meridian/blocked"] === "true") {
      reportViolation("namespace is labelled meridian/blocked=true");
    }
  },
}]});
EOF
log "npm install (two tiny projects)"
# --ignore-scripts: @pulumi/kubernetes' install script would try to download its plugin.
(cd "$WORK/prog" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$WORK/npm-prog.log" 2>&1) || { bad "npm install (program), see $WORK/npm-prog.log"; exit 1; }
(cd "$WORK/policy" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$WORK/npm-policy.log" 2>&1) || { bad "npm install (policy), see $WORK/npm-policy.log"; exit 1; }

cd "$WORK/prog"
pulumi stack init smoke >/dev/null 2>&1
start=$SECONDS
if pulumi up --yes --skip-preview >"$WORK/up.log" 2>&1; then ok "pulumi up ($((SECONDS - start))s)"; else bad "pulumi up, see $WORK/up.log"; tail -20 "$WORK/up.log"; fi
if K get ns smoke-pulumi >/dev/null 2>&1; then ok "namespace created by pulumi exists"; else bad "namespace smoke-pulumi missing"; fi
if grep -qi "download" "$WORK/up.log"; then bad "pulumi up mentioned a download"; else ok "no plugin download"; fi

pulumi config set blocked true >/dev/null
if pulumi up --yes --skip-preview --policy-pack "$WORK/policy" >"$WORK/policy.log" 2>&1; then
  bad "policy pack did not block (see $WORK/policy.log)"
elif grep -q "no-blocked-namespaces" "$WORK/policy.log"; then
  ok "policy pack blocks the resource"
else
  bad "pulumi up failed for another reason, see $WORK/policy.log"; tail -20 "$WORK/policy.log"
fi
pulumi config set blocked false >/dev/null
if pulumi destroy --yes --skip-preview >"$WORK/destroy.log" 2>&1; then ok "pulumi destroy"; else bad "pulumi destroy, see $WORK/destroy.log"; fi
gone=0
for _ in $(seq 1 60); do K get ns smoke-pulumi >/dev/null 2>&1 || { gone=1; break; }; sleep 1; done
if [ "$gone" = 1 ]; then ok "namespace deleted (controller-manager finalized it)"; else bad "namespace smoke-pulumi still there"; fi
[ "$FAIL" = 0 ]

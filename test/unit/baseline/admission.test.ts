/**
 * The baseline's ValidatingAdmissionPolicies, evaluated (CEL) against good and bad
 * objects before any API server exists. Expressions run in @marcbachmann/cel-js with the
 * API server's order: matchConditions, variables, validations.
 */
import {
  POLICY_NAMES,
  addonManifests,
  admissionPolicies,
  baselineSpec,
  namespaceManifests,
  type AdmissionPolicySpec,
  type BaselineSpec,
} from "../../../components/baseline";
import { evaluatePolicies, type CelCase } from "./cel";

const DIGEST = `@sha256:${"ab12".repeat(16)}`;
const EU_ECR = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/";
const EU_GAR = "europe-west1-docker.pkg.dev/meridian-eu-prod/platform/";
const US_ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/";

const spec: BaselineSpec = {
  ...baselineSpec(
    {
      domain: "eu",
      clusterName: "eu-workload-aws",
      cloud: "aws",
      environment: "prod",
      tenants: [{ name: "payments", team: "payments", developersGroup: "eu-payments-devs" }],
      addons: [{ name: "capacity-reserve", namespace: "meridian-system", image: "x", replicas: 2, priorityClassName: "meridian-capacity-reserve" }],
    },
    [EU_ECR, EU_GAR],
  ),
};
const policies = Object.fromEntries(admissionPolicies(spec).map((p) => [p.policy.metadata.name, p.policy.spec])) as Record<string, AdmissionPolicySpec>;
const POD_POLICIES = [POLICY_NAMES.images, POLICY_NAMES.podHardening, POLICY_NAMES.workloadLabels];

function pod(overrides: { image?: string; spec?: Record<string, unknown>; labels?: Record<string, string> | null } = {}): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", ...(overrides.labels === null ? {} : { labels: overrides.labels ?? { "app.kubernetes.io/name": "p" } }) },
    spec: { containers: [{ name: "c", image: overrides.image ?? `${EU_ECR}apps/api${DIGEST}` }], ...overrides.spec },
  };
}

function deployment(podSpec: Record<string, unknown>, labels: Record<string, string> = { "app.kubernetes.io/name": "d" }): Record<string, unknown> {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { metadata: { labels }, spec: podSpec } } };
}

function cronJob(podSpec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "cj" },
    spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { metadata: { labels: { "app.kubernetes.io/name": "cj" } }, spec: podSpec } } } },
  };
}

/** Denials of the pod policies for an object in a namespace, by policy name (only policies that applied). */
function podVerdicts(object: Record<string, unknown>, namespace = "payments"): Record<string, string[] | "n/a"> {
  const cases: CelCase[] = POD_POLICIES.map((name) => ({ spec: policies[name], object, namespace }));
  const results = evaluatePolicies(cases);
  results.forEach((r) => expect(r.errors).toEqual([]));
  return Object.fromEntries(POD_POLICIES.map((name, i) => [name, results[i].applies ? results[i].denied : "n/a"]));
}

describe("image provenance (registry + digest)", () => {
  it("admits a pod from a domain registry pinned by digest", () => {
    expect(podVerdicts(pod())).toEqual({ [POLICY_NAMES.images]: [], [POLICY_NAMES.podHardening]: [], [POLICY_NAMES.workloadLabels]: [] });
    expect(podVerdicts(pod({ image: `${EU_GAR}gitops/controller${DIGEST}` }))[POLICY_NAMES.images]).toEqual([]);
  });

  it("rejects an image from the other domain's registry", () => {
    const denied = podVerdicts(pod({ image: `${US_ECR}apps/api${DIGEST}` }))[POLICY_NAMES.images];
    expect(denied).toEqual([expect.stringContaining("images must come from the eu domain's registries")]);
  });

  it("rejects public registries and look-alike hosts that merely start with a domain host", () => {
    for (const image of [`docker.io/library/nginx${DIGEST}`, `nginx${DIGEST}`, `123456789012.dkr.ecr.eu-central-1.amazonaws.com.evil.example/x${DIGEST}`]) {
      expect(podVerdicts(pod({ image }))[POLICY_NAMES.images]).toEqual([expect.stringContaining("registries")]);
    }
  });

  it("rejects tags and malformed digests (tag-only, short digest, uppercase)", () => {
    for (const image of [`${EU_ECR}apps/api:1.2.3`, `${EU_ECR}apps/api@sha256:abc`, `${EU_ECR}apps/api@sha256:${"AB12".repeat(16)}`, `${EU_ECR}apps/api`]) {
      expect(podVerdicts(pod({ image }))[POLICY_NAMES.images]).toEqual([expect.stringContaining("pinned by digest")]);
    }
  });

  it("checks init and ephemeral containers, Deployments and CronJobs too", () => {
    const badInit = { containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}` }], initContainers: [{ name: "i", image: `${US_ECR}a${DIGEST}` }] };
    expect(podVerdicts(deployment(badInit))[POLICY_NAMES.images]).toHaveLength(1);
    expect(podVerdicts(cronJob(badInit))[POLICY_NAMES.images]).toHaveLength(1);
    const badEphemeral = { containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}` }], ephemeralContainers: [{ name: "dbg", image: "busybox:latest" }] };
    expect(podVerdicts(pod({ spec: badEphemeral }))[POLICY_NAMES.images]).toHaveLength(2);
    const good = { containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}` }] };
    expect(podVerdicts(deployment(good))[POLICY_NAMES.images]).toEqual([]);
    expect(podVerdicts(cronJob(good))[POLICY_NAMES.images]).toEqual([]);
  });

  it("does not apply in provider-managed namespaces (kube-system), and applies in platform namespaces", () => {
    expect(podVerdicts(pod({ image: "602401143452.dkr.ecr.eu-central-1.amazonaws.com/amazon-k8s-cni:v1.19.0" }), "kube-system")[POLICY_NAMES.images]).toBe("n/a");
    expect(podVerdicts(pod({ image: "nginx:latest" }), "meridian-system")[POLICY_NAMES.images]).toHaveLength(2);
    expect(podVerdicts(pod({ image: "nginx:latest" }), "meridian-node-agents")[POLICY_NAMES.images]).toHaveLength(2);
  });
});

describe("pod hardening (privileged, hostPath, host namespaces)", () => {
  const base = { containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}` }] };
  it.each([
    ["privileged", { containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}`, securityContext: { privileged: true } }] }, "privileged"],
    ["hostPath", { ...base, volumes: [{ name: "v", hostPath: { path: "/" } }] }, "hostPath"],
    ["hostNetwork", { ...base, hostNetwork: true }, "hostNetwork"],
    ["hostPID", { ...base, hostPID: true }, "hostPID"],
    ["hostIPC", { ...base, hostIPC: true }, "hostIPC"],
  ])("rejects %s in a tenant namespace and in a restricted platform namespace", (_what, podSpec, msg) => {
    expect(podVerdicts(deployment(podSpec))[POLICY_NAMES.podHardening]).toEqual([expect.stringContaining(msg)]);
    expect(podVerdicts(pod({ spec: podSpec }), "meridian-system")[POLICY_NAMES.podHardening]).toEqual([expect.stringContaining(msg)]);
  });

  it("allows host access only in the allow-listed node-agents namespace", () => {
    const agent = { ...base, hostNetwork: true, volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] };
    expect(podVerdicts(deployment(agent), "meridian-node-agents")[POLICY_NAMES.podHardening]).toBe("n/a");
  });

  it("admits explicit false and emptyDir volumes", () => {
    const ok = { ...base, hostNetwork: false, volumes: [{ name: "tmp", emptyDir: {} }], containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}`, securityContext: { privileged: false } }] };
    expect(podVerdicts(deployment(ok))[POLICY_NAMES.podHardening]).toEqual([]);
  });
});

describe("required labels", () => {
  it("rejects pods and pod templates without app.kubernetes.io/name", () => {
    expect(podVerdicts(pod({ labels: null }))[POLICY_NAMES.workloadLabels]).toHaveLength(1);
    expect(podVerdicts(deployment({ containers: [{ name: "c", image: `${EU_ECR}a${DIGEST}` }] }, { other: "x" }))[POLICY_NAMES.workloadLabels]).toHaveLength(1);
  });

  const ns = (name: string, labels: Record<string, string> | undefined) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels ? { labels } : {}) } });
  const good = {
    residency: "eu",
    team: "t",
    tenant: "t",
    env: "prod",
    "pod-security.kubernetes.io/enforce": "restricted",
  };
  const nsVerdict = (object: Record<string, unknown>, operation: "CREATE" | "UPDATE" = "CREATE") => {
    const [r] = evaluatePolicies([{ spec: policies[POLICY_NAMES.namespaceLabels], object, operation }]);
    expect(r.errors).toEqual([]);
    return r.applies ? r.denied : "n/a";
  };

  it("admits a fully labelled restricted namespace", () => {
    expect(nsVerdict(ns("payments", good))).toEqual([]);
  });

  it("rejects a namespace without labels, without residency, or of the other domain", () => {
    expect(nsVerdict(ns("payments", undefined))).toHaveLength(3);
    const { residency: _r, ...noResidency } = good;
    expect(nsVerdict(ns("payments", noResidency))).toEqual([expect.stringContaining("residency=eu")]);
    expect(nsVerdict(ns("payments", { ...good, residency: "us" }))).toEqual([expect.stringContaining("residency=eu")]);
    expect(nsVerdict(ns("payments", { ...good, team: "" }))).toEqual([expect.stringContaining("team, tenant, env")]);
  });

  it("rejects relaxing Pod Security on a tenant namespace (on update too), allows it only for the allow-listed namespace", () => {
    expect(nsVerdict(ns("payments", { ...good, "pod-security.kubernetes.io/enforce": "privileged" }), "UPDATE")).toEqual([expect.stringContaining("restricted")]);
    expect(nsVerdict(ns("meridian-node-agents", { ...good, "pod-security.kubernetes.io/enforce": "privileged" }))).toEqual([]);
  });

  it("leaves system namespaces alone", () => {
    expect(nsVerdict(ns("kube-system", undefined))).toBe("n/a");
    expect(nsVerdict(ns("default", undefined))).toBe("n/a");
  });
});

describe("the baseline passes its own admission", () => {
  it("every namespace it creates satisfies the namespace policy", () => {
    const results = evaluatePolicies(namespaceManifests(spec).map((m) => ({ spec: policies[POLICY_NAMES.namespaceLabels], object: m as unknown as Record<string, unknown> })));
    expect(results.map((r) => [r.applies, r.denied])).toEqual(results.map(() => [true, []]));
  });

  it("every add-on Deployment it creates satisfies the pod policies (given a domain image)", () => {
    const addonSpec = { ...spec, addons: [{ ...spec.addons[0], image: `${EU_ECR}platform/pause${DIGEST}` }] };
    const [dep] = addonManifests(addonSpec);
    expect(podVerdicts(dep as unknown as Record<string, unknown>, "meridian-system")).toEqual({
      [POLICY_NAMES.images]: [],
      [POLICY_NAMES.podHardening]: [],
      [POLICY_NAMES.workloadLabels]: [],
    });
  });
});

describe("policy data", () => {
  it("binds every policy with Deny (and Audit) and fails closed", () => {
    for (const p of admissionPolicies(spec)) {
      expect(p.policy.spec.failurePolicy).toBe("Fail");
      expect((p.binding.spec as { validationActions: string[] }).validationActions).toEqual(["Deny", "Audit"]);
      expect((p.binding.spec as { policyName: string }).policyName).toBe(p.policy.metadata.name);
    }
  });

  it("renders the CEL (snapshot)", () => {
    expect(admissionPolicies(spec).map((p) => p.policy)).toMatchSnapshot();
  });
});

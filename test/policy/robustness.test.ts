/**
 * No policy crashes on shapes it did not expect: for every resource type a policy names,
 * arbitrary JSON props (with values unknown at preview mixed in, strings where objects are
 * expected and the reverse) run through the whole pack, and no result is a "policy failed
 * to evaluate" — the pack's own defect, which would fail a real `pulumi preview`.
 */
import * as fc from "fast-check";
import { allPolicyMetadata } from "../../policy-pack/policies";
import { awsEu, azureEu, gcpEu, k8sEu, res, runAll, UNKNOWN, UNKNOWN_ARRAY } from "./harness";

const types = [...new Set(allPolicyMetadata.flatMap((m) => m.types))].filter((t) => t !== "*" && !t.startsWith("pulumi:"));
const providerFor = (t: string) => (t.startsWith("aws:") ? awsEu : t.startsWith("gcp:") ? gcpEu : t.startsWith("azure-native:") ? azureEu : k8sEu);

const leaf = fc.oneof(fc.constant(UNKNOWN), fc.constant(UNKNOWN_ARRAY), fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant("0.0.0.0/0"), fc.constant("*"));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("image", "policy", "containers", "spec", "template", "kmsKeyId", "protocol", "ports", "location", "region", "enabled", "securityContext", "ingress", "replicas", "encryption", "name", "type"), tie("v"), { maxKeys: 4 })),
})).v;
const props = fc.dictionary(fc.constantFrom("spec", "metadata", "template", "policy", "containerDefinitions", "ingress", "securityRules", "replicas", "locations", "encryption", "nodeConfig", "kubeconfig", "origins", "backends", "defaultActions", "protocol", "kmsKeyId", "location", "region", "settings", "config", "environment", "serverSideEncryption"), value, { maxKeys: 6 });

it.each(types)("%s: arbitrary props never crash a policy", (type) => {
  fc.assert(
    fc.property(props, (p) => {
      const crashed = runAll([res(type, "r", p, { provider: providerFor(type) })]).filter((v) => v.message.startsWith("policy failed to evaluate"));
      expect(crashed).toEqual([]);
    }),
    { numRuns: 15, seed: 13 },
  );
});

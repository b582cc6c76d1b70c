import { findAll, findOne, installMocks, isSecret, settle, valueOf } from "../../support/mocks";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { ResidencyPki, validateResidencyPkiArgs } from "../../../components/pki";

const cloud = installMocks();

describe("ResidencyPki", () => {
  it("issues a root and one intermediate per purpose, keys as secrets, overlap from config", async () => {
    const providers = [new tls.Provider("tls", {}), new random.Provider("random", {})];
    const pki = new ResidencyPki("eu-pki", { domain: "eu", earlyRenewalHours: 1000, intermediates: ["mesh", "vpn"] }, { providers });
    await valueOf(pki.rootCertPem);
    await valueOf(pki.intermediates.vpn.certPem);
    await settle();
    const root = findOne(cloud, "tls:index/selfSignedCert:SelfSignedCert");
    expect(root.inputs.isCaCertificate).toBe(true);
    expect(root.inputs.validityPeriodHours).toBe(87600);
    expect(root.inputs.earlyRenewalHours).toBe(1000);
    expect((root.inputs.subject as { organizationalUnit: string }).organizationalUnit).toBe("residency-eu");
    const inters = findAll(cloud, "tls:index/locallySignedCert:LocallySignedCert");
    expect(inters.map((i) => i.name).sort()).toEqual(["eu-pki-g1-mesh", "eu-pki-g1-vpn"]); // generation-named; aliased to the pre-rotation names
    for (const i of inters) {
      expect(i.inputs.isCaCertificate).toBe(true);
      expect(i.inputs.validityPeriodHours).toBe(8760);
    }
    for (const k of findAll(cloud, "tls:index/privateKey:PrivateKey")) {
      expect(k.inputs.algorithm).toBe("ECDSA");
      expect(k.inputs.ecdsaCurve).toBe("P384");
      expect(k.provider?.type).toBe("pulumi:providers:tls");
    }
    expect(await isSecret(pki.intermediates.mesh.privateKeyPem as never)).toBe(true);
    expect(pki.intermediates.mesh.domain).toBe("eu");
    expect(findOne(cloud, "random:index/randomId:RandomId").inputs.keepers).toEqual({ generation: "1" });
  });

  it("refuses an intermediate that outlives its root and an overlap larger than half its life", () => {
    const problems = validateResidencyPkiArgs({ domain: "eu", rootValidityHours: 9000, intermediateValidityHours: 9000, earlyRenewalHours: 5000 });
    expect(problems.map((p) => p.propertyPath).sort()).toEqual(["earlyRenewalHours", "intermediateValidityHours"]);
  });
});

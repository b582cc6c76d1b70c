/** The pki stack's trust roots: the current root first, then the retiring ones (the rotation overlap). */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { installMocks, settle, valueOf } from "../../support/mocks";

installMocks({ stack: "eu-pki" });

import { ResidencyPki } from "../../../components/pki";

const OLD = "-----BEGIN CERTIFICATE-----\nT0xE\n-----END CERTIFICATE-----";
const providers = [new tls.Provider("eu-pki-tls", {}), new random.Provider("eu-pki-random", {})];
const steady = new ResidencyPki("steady", { domain: "eu", intermediates: ["gateway"] }, { providers });
const rotating = new ResidencyPki("rotating", { domain: "eu", generation: 2, intermediates: ["gateway"], retiringRoots: [OLD] }, { providers });

beforeAll(settle);

it("trusts only the current root outside a rotation", async () => {
  expect(await valueOf(steady.trustRootPems)).toEqual([await valueOf(steady.rootCertPem)]);
});

it("trusts the current and the retiring root during the overlap, current first", async () => {
  expect(await valueOf(rotating.trustRootPems)).toEqual([await valueOf(rotating.rootCertPem), `${OLD}\n`]);
});

it("keeps the gateway intermediate's key a secret", async () => {
  expect(await pulumi.isSecret(pulumi.output(rotating.intermediates.gateway.privateKeyPem))).toBe(true);
});

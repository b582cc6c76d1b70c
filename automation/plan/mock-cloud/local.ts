/**
 * Providers that run locally (tls, random): deterministic stand-ins that keep the shape of
 * the real outputs. Key material is an obvious placeholder, never anything usable.
 */
import { stableHash, type MockContext } from "./shared";

const PEM_BODY = (label: string, seed: string) =>
  `-----BEGIN ${label}-----\nMOCK${stableHash(seed, 60)}\n-----END ${label}-----\n`;

export function localOutputs(ctx: MockContext): Record<string, unknown> {
  switch (ctx.type) {
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: PEM_BODY("MOCK KEY MATERIAL", ctx.name),
        publicKeyPem: PEM_BODY("PUBLIC KEY", ctx.name),
        publicKeyFingerprintSha256: `SHA256:${stableHash(ctx.name, 43)}`,
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return {
        certPem: PEM_BODY("CERTIFICATE", ctx.name),
        validityStartTime: "2026-01-01T00:00:00Z",
        validityEndTime: "2036-01-01T00:00:00Z",
        readyForRenewal: false,
      };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: PEM_BODY("CERTIFICATE REQUEST", ctx.name) };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString": {
      const length = typeof ctx.inputs.length === "number" ? ctx.inputs.length : 32;
      // Letters and digits only, starting with a letter: valid under every provider's PSK rules.
      const body = `k${stableHash(ctx.name + ctx.type, 64)}${stableHash(ctx.name, 64)}`.slice(0, length);
      return { result: body, bcryptHash: `$2a$10$${stableHash(body, 53)}` };
    }
    case "random:index/randomId:RandomId": {
      const bytes = typeof ctx.inputs.byteLength === "number" ? ctx.inputs.byteLength : 8;
      const hex = stableHash(ctx.name + JSON.stringify(ctx.inputs.keepers ?? {}), bytes * 2);
      return { hex, dec: BigInt(`0x${hex}`).toString(), b64Url: Buffer.from(hex, "hex").toString("base64url"), b64Std: Buffer.from(hex, "hex").toString("base64") };
    }
    default:
      return {};
  }
}

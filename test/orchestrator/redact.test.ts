import { Redactor, REDACTED } from "../../automation/orchestrator/redact";

describe("Redactor: secret outputs", () => {
  it("masks a secret string output and every long leaf of a structured one", () => {
    const r = new Redactor();
    r.add("hunter22");
    r.add({ gateway: { privateKeyPem: "-----BEGIN MOCK KEY-----abcdefghijklmnop", role: "gateway" }, psk: "Zq3._x9LmN0pQrSt" });
    const out = r.redact("pass hunter22 key -----BEGIN MOCK KEY-----abcdefghijklmnop psk Zq3._x9LmN0pQrSt");
    expect(out).toBe(`pass ${REDACTED} key ${REDACTED} psk ${REDACTED}`);
  });

  it("keeps structure words and numbers of a structured secret output readable, and JSON text parseable", () => {
    const r = new Redactor();
    // Pulumi marks the whole output secret when one field is: its short leaves are structure.
    r.add({ kind: "domain", role: "workload", sloObjective: 99.9, replicas: 3, enabled: true, token: "tok_0123456789abcdef" });
    const record = JSON.stringify({ gate: { kind: "domain" }, objective: 99.9, replicas: 3, note: "workload ok", token: "tok_0123456789abcdef" });
    const redacted = r.redact(record);
    expect(JSON.parse(redacted)).toEqual({ gate: { kind: "domain" }, objective: 99.9, replicas: 3, note: "workload ok", token: REDACTED });
  });

  it("a top-level secret string of 4+ characters is still masked; numbers never are", () => {
    const r = new Redactor();
    r.add("abcd");
    r.add(5432);
    expect(r.redact("x abcd 5432")).toBe(`x ${REDACTED} 5432`);
  });
});

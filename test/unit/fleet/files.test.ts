/**
 * Every file the loader reads is untrusted input (automation/fleet/{stackNames,yamlFile}.ts):
 * stack names from file names, look-alike files, non-regular files, size and alias limits,
 * I/O and parser problems — each a one-line error naming the file (exit 2), and parsing
 * stays linear in the number of keys.
 */
import { execFileSync } from "node:child_process";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { runPlanCommand } from "../../../automation/commands/plan";
import { FleetConfigErrors, loadFleet } from "../../../automation/fleet";
import { PULUMI_STACK_NAME, classifyStackFile, stackNameProblem } from "../../../automation/fleet/stackNames";
import { DEFAULT_YAML_LIMITS, keyCheckCounter, parseYaml } from "../../../automation/fleet/yamlFile";
import { fleetDir, readReference } from "../../support/fleetDir";

const PKI = readReference("Pulumi.eu-pki.yaml");

function problems(dir: string, limits = DEFAULT_YAML_LIMITS): string[] {
  try {
    loadFleet(dir, limits);
    return [];
  } catch (e) {
    if (!(e instanceof FleetConfigErrors)) throw e;
    return e.errors.map((x) => x.message);
  }
}

async function planExit(dir: string): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runPlanCommand({ stacksDir: dir, json: true }, { out: () => undefined, err: (s) => void err.push(s) });
  return { code, err: err.join("") };
}

function oneLine(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).not.toMatch(/\n|^\s+at |\.ts:\d+:\d+|internal error/);
}

describe("stack names from file names", () => {
  const refused: Array<[string, string, RegExp]> = [
    ["upper case", "Pulumi.EU-pki2.yaml", /upper case/],
    ["a space", "Pulumi.eu pki.yaml", /white space/],
    ["a control character", "Pulumi.eu\u0007pki.yaml", /control character \(U\+0007\)/],
    ["a Cyrillic look-alike", "Pulumi.eu-pk\u0456.yaml", /non-ASCII character U\+0456/],
    ["a full-width look-alike", "Pulumi.\uff45u-pki2.yaml", /non-ASCII character U\+FF45/],
    ["a leading '-'", "Pulumi.-eu-pki.yaml", /starts with '-'/],
    ["an underscore (Pulumi allows it, meridian does not)", "Pulumi.eu_pki.yaml", /Pulumi allows it/],
    ["64 characters", `Pulumi.${"a".repeat(64)}.yaml`, /64 characters/],
  ];
  it.each(refused)("refuses %s with exit 2 naming the file", async (_label, file, detail) => {
    const dir = fleetDir({ [file]: PKI });
    const lines = problems(dir);
    oneLine(lines);
    expect(lines.find((l) => l.includes(file)) ?? lines.join("\n")).toMatch(detail);
    const { code, err } = await planExit(dir);
    expect(code).toBe(2);
    expect(err).toContain(file.replace(/\u0007/g, "\\u0007"));
    expect(err).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it("property: a name is accepted exactly when it is a Pulumi stack name and meridian's narrower rule", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[a-z0-9-]{1,70}$/), fc.string({ unit: "grapheme", maxLength: 12 })), (name) => {
        const ok = stackNameProblem(name) === undefined;
        expect(ok).toBe(PULUMI_STACK_NAME.test(name) && /^[a-z0-9][a-z0-9-]{0,62}$/.test(name));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses two files naming one stack (.yaml and .yml)", () => {
    const lines = problems(fleetDir({ "Pulumi.eu-pki.yml": PKI }));
    expect(lines.join("\n")).toMatch(/Pulumi\.eu-pki\.yml: \(file\): stack "eu-pki" is already declared by .*Pulumi\.eu-pki\.yaml \(stack names are unique ignoring case\)/);
  });
});

describe("files that look like stack configs are reported, not skipped", () => {
  it.each([
    ["Pulumi.a.b.yaml", /contains '\.'/],
    ["Pulumi.eu-pki2.YAML", /extension is not `\.yaml` or `\.yml` in lower case/],
    ["pulumi.eu-pki2.yaml", /does not start with `Pulumi\.` exactly/],
    ["PULUMI.eu-pki2.yml", /does not start with `Pulumi\.` exactly/],
  ])("%s", (file, detail) => {
    const lines = problems(fleetDir({ [file]: PKI }));
    oneLine(lines);
    expect(lines.find((l) => l.includes(file))).toMatch(detail);
  });

  it("ignores files that are not stack configs at all", () => {
    expect(problems(fleetDir({ "README.md": "notes", "values.yaml": "a: 1\n" }))).toEqual([]);
  });

  it("property: every directory entry is a stack, a reported look-alike, or unrelated — never silently dropped", () => {
    fc.assert(
      fc.property(fc.constantFrom("Pulumi.", "pulumi.", "PULUMI.", ""), fc.string({ maxLength: 12 }), fc.constantFrom(".yaml", ".yml", ".YAML", ".Yml", ".txt", ""), (pre, mid, ext) => {
        const name = `${pre}${mid}${ext}`;
        const v = classifyStackFile(name);
        const looks = /^pulumi\..+\.ya?ml$/i.test(name.normalize("NFKC")) || /^pulumi\..+\.ya?ml$/i.test(name);
        if (v.kind === "stack") expect(stackNameProblem(v.name)).toBeUndefined();
        else if (looks) expect(v.kind).toBe("lookalike");
        else expect(v.kind).toBe("other");
      }),
      { numRuns: 500 },
    );
  });
});

describe("non-regular files and I/O problems exit 2 naming the file", () => {
  it("a directory named like a stack file", async () => {
    const dir = fleetDir();
    fs.mkdirSync(path.join(dir, "Pulumi.eu-dir.yaml"));
    expect(problems(dir).join("\n")).toMatch(/Pulumi\.eu-dir\.yaml: \(file\): is a directory/);
    expect((await planExit(dir)).code).toBe(2);
  });

  it("a FIFO (never opened for a blocking read)", async () => {
    const dir = fleetDir();
    execFileSync("mkfifo", [path.join(dir, "Pulumi.eu-fifo.yaml")]);
    expect(problems(dir).join("\n")).toMatch(/Pulumi\.eu-fifo\.yaml: \(file\): is a FIFO/);
    expect((await planExit(dir)).code).toBe(2);
  });

  it("a symlink loop, and a dangling symlink", () => {
    const dir = fleetDir();
    fs.symlinkSync("Pulumi.eu-loop.yaml", path.join(dir, "Pulumi.eu-loop.yaml"));
    fs.symlinkSync("nowhere.yaml", path.join(dir, "Pulumi.eu-dangling.yaml"));
    const text = problems(dir).join("\n");
    expect(text).toMatch(/Pulumi\.eu-loop\.yaml: \(file\): is a symlink loop/);
    expect(text).toMatch(/Pulumi\.eu-dangling\.yaml: \(file\): no such file/);
  });

  it("a fleet.yaml that is a symlink loop", () => {
    const dir = fleetDir({ "fleet.yaml": null });
    fs.symlinkSync("fleet.yaml", path.join(dir, "fleet.yaml"));
    expect(problems(dir).join("\n")).toMatch(/fleet\.yaml: \(file\): is a symlink loop/);
  });

  it("an unreadable file (when not running as root)", () => {
    if (process.getuid?.() === 0) return; // root reads everything: nothing to prove here
    const dir = fleetDir();
    fs.chmodSync(path.join(dir, "Pulumi.eu-pki.yaml"), 0o000);
    expect(problems(dir).join("\n")).toMatch(/Pulumi\.eu-pki\.yaml: \(file\): cannot be read \(permission denied\)/);
  });

  it("a stacks directory that is a file", async () => {
    const dir = fleetDir();
    const { code, err } = await planExit(path.join(dir, "fleet.yaml"));
    expect(code).toBe(2);
    expect(err).toMatch(/fleet\.yaml: \(dir\): not a directory/);
  });

  it("invalid UTF-8", () => {
    const dir = fleetDir();
    fs.writeFileSync(path.join(dir, "Pulumi.eu-pki.yaml"), Buffer.from([0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    expect(problems(dir).join("\n")).toMatch(/Pulumi\.eu-pki\.yaml: \(file\): is not valid UTF-8/);
  });
});

describe("YAML limits", () => {
  it("refuses a file over the per-file size limit before parsing it", () => {
    // The limit sits above every reference file (fleet.yaml is the largest), below the padded one.
    const dir = fleetDir({ "Pulumi.eu-pki.yaml": `${PKI}# ${"x".repeat(65536)}\n` });
    expect(problems(dir, { ...DEFAULT_YAML_LIMITS, fileBytes: 32768 }).join("\n")).toMatch(/Pulumi\.eu-pki\.yaml: \(file\): is \d+ bytes; the limit is 32768 bytes per file/);
  });

  it("refuses a fleet over the fleet-wide size limit", () => {
    expect(problems(fleetDir(), { ...DEFAULT_YAML_LIMITS, fleetBytes: 4096 }).join("\n")).toMatch(/the fleet's files exceed 4096 bytes in total/);
  });

  it("refuses the default-limit 2 MB file at once", () => {
    const big = `${PKI}  meridian:tags:\n${Array.from({ length: 50_000 }, (_, i) => `    k${i}: ${"v".repeat(30)}`).join("\n")}\n`;
    expect(big.length).toBeGreaterThan(2_000_000);
    const lines = problems(fleetDir({ "Pulumi.eu-pki.yaml": big }));
    expect(lines.join("\n")).toMatch(/Pulumi\.eu-pki\.yaml: \(file\): is \d+ bytes; the limit is 1048576 bytes per file/);
  });

  it("refuses alias expansion beyond the limit (billion laughs)", () => {
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]"].join("\n");
    expect(() => parseYaml("Pulumi.x.yaml", laughs)).toThrow(/Pulumi\.x\.yaml: \(yaml\): too many aliases: at most 16/);
    expect(problems(fleetDir({ "Pulumi.eu-pki.yaml": `${PKI}${laughs.split("\n").map((l) => `  meridian:${l}`).join("\n")}\n` })).join("\n")).toMatch(/Pulumi\.eu-pki\.yaml: \(yaml\)/);
  });

  it("finds a duplicate key deep in a large map, with its line", () => {
    const body = Array.from({ length: 2000 }, (_, i) => `    k${i}: v`).join("\n");
    expect(() => parseYaml("f.yaml", `config:\n  meridian:tags:\n${body}\n    k7: again\n`)).toThrow(/f\.yaml: \(yaml\): Map keys must be unique: "k7" appears twice \(line 2003, column 5\)/);
  });

  it("checks duplicate keys with work linear in the number of keys (counted, not timed)", () => {
    for (const n of [1000, 50_000]) {
      const text = `config:\n  meridian:tags:\n${Array.from({ length: n }, (_, i) => `    k${i}: v`).join("\n")}\n`;
      keyCheckCounter.keys = 0;
      parseYaml("f.yaml", text, { ...DEFAULT_YAML_LIMITS, fileBytes: Infinity });
      expect(keyCheckCounter.keys).toBe(n + 2);
    }
  });

  it("does not ask the yaml package for its quadratic duplicate-key check", () => {
    const source = fs.readFileSync(path.resolve(__dirname, "../../../automation/fleet/yamlFile.ts"), "utf8");
    expect(source).toMatch(/parseDocument\(text, \{ uniqueKeys: false/);
    expect(source).not.toMatch(/uniqueKeys: true/);
  });

  it("property: any text either parses or fails with one line naming the file", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom("a: *x", "&a a: b", "? [a]\n: b", "a: !!binary zz", "%YAML 9.9\n---\na: 1", "a: 1\na: 2", "- a\nb: c", "a: [b", "\t\ta: b")), (text) => {
        try {
          parseYaml("Pulumi.f.yaml", text);
        } catch (e) {
          expect((e as Error).name).toBe("FleetConfigError");
          expect((e as Error).message).toMatch(/^Pulumi\.f\.yaml: \S+: [^\n]+$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

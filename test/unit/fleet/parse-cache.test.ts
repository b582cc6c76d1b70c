/**
 * The parse cache (automation/fleet/parseCache.ts): a load with it gives the very fleet a load
 * without it gives, parses only files it has not seen, and a cache it cannot prove it wrote
 * (edited, forged, another user's key) changes nothing but the time.
 */
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FleetConfigErrors, loadFleet, ParseCache, type Fleet } from "../../../automation/fleet";
import { keyCheckCounter } from "../../../automation/fleet/yamlFile";
import { fleetDir, readReference } from "../../support/fleetDir";

function scratch(): { dir: string; cacheFile: string; keyFile: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-parse-cache-"));
  return { dir: fleetDir(), cacheFile: path.join(root, "cache", "parse", "fleet.json"), keyFile: path.join(root, "state", "meridian", "cache.key") };
}

/** Load with a fresh ParseCache of `cacheFile`; how many YAML keys were parsed (0: every stack file from the cache). */
function cachedLoad(dir: string, cacheFile: string, keyFile: string): { fleet: Fleet; parsedKeys: number } {
  const before = keyCheckCounter.keys;
  const cache = ParseCache.open(cacheFile, keyFile);
  const fleet = loadFleet(dir, undefined, { parseCache: cache });
  cache.save();
  return { fleet, parsedKeys: keyCheckCounter.keys - before };
}

const specs = (fleet: Fleet) => [...fleet.stacks.values()];

describe("parse cache", () => {
  it("a cached load equals an uncached one and parses no stack file a second time", () => {
    const { dir, cacheFile, keyFile } = scratch();
    const plain = loadFleet(dir);
    const first = cachedLoad(dir, cacheFile, keyFile);
    const second = cachedLoad(dir, cacheFile, keyFile);
    expect(specs(first.fleet)).toEqual(specs(plain));
    expect(specs(second.fleet)).toEqual(specs(plain));
    expect(second.parsedKeys).toBeLessThan(first.parsedKeys / 4);
    expect(fs.statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it("a changed file is parsed again, and its verdict is the file's", () => {
    const { dir, cacheFile, keyFile } = scratch();
    cachedLoad(dir, cacheFile, keyFile);
    const file = path.join(dir, "Pulumi.eu-workload-aws.yaml");
    fs.writeFileSync(file, readReference("Pulumi.eu-workload-aws.yaml").replace("aws:region: eu-central-1", "aws:region: us-east-1"));
    const uncached = (() => {
      try {
        loadFleet(dir);
        return undefined;
      } catch (e) {
        return (e as FleetConfigErrors).errors.map((x) => x.message);
      }
    })();
    expect(uncached?.[0]).toMatch(/aws:region.*"us-east-1" is not allowed for domain eu/);
    expect(() => cachedLoad(dir, cacheFile, keyFile)).toThrow(FleetConfigErrors);
    try {
      cachedLoad(dir, cacheFile, keyFile);
    } catch (e) {
      expect((e as FleetConfigErrors).errors.map((x) => x.message)).toEqual(uncached);
    }
  });

  it("a cache edited by hand, or signed with another key, is ignored whole; the same edit signed with the user's key would change the fleet", () => {
    const { dir, cacheFile, keyFile } = scratch();
    const plain = loadFleet(dir);
    cachedLoad(dir, cacheFile, keyFile);
    const [header, body] = fs.readFileSync(cacheFile, "utf8").split("\n");
    // A forgery that passes every check after the parse: another ring for every stack that has one.
    const forged = body.replace(/\\"meridian:ring\\":0/g, '\\"meridian:ring\\":3');
    expect(forged).not.toBe(body);
    const sign = (key: Buffer) => JSON.stringify({ ...(JSON.parse(header) as object), mac: createHmac("sha256", key).update(forged).digest("hex") });

    fs.writeFileSync(cacheFile, `${header}\n${forged}`);
    const edited = cachedLoad(dir, cacheFile, keyFile);
    expect(specs(edited.fleet)).toEqual(specs(plain));
    expect(edited.parsedKeys).toBeGreaterThan(0);

    fs.writeFileSync(cacheFile, `${sign(Buffer.alloc(32, 7))}\n${forged}`);
    expect(specs(cachedLoad(dir, cacheFile, keyFile).fleet)).toEqual(specs(plain));

    // The MAC is what stops it: signed with the user's own key, the forgery is believed.
    fs.writeFileSync(cacheFile, `${sign(Buffer.from(fs.readFileSync(keyFile, "utf8").trim(), "hex"))}\n${forged}`);
    const believed = cachedLoad(dir, cacheFile, keyFile).fleet;
    expect(specs(believed).map((s) => s.ring)).not.toEqual(specs(plain).map((s) => s.ring));
  });

  it("caches nothing with a key others can read, and nothing JSON cannot hold exactly", () => {
    const { dir, cacheFile, keyFile } = scratch();
    fs.mkdirSync(path.dirname(keyFile), { recursive: true });
    fs.writeFileSync(keyFile, "ab".repeat(32), { mode: 0o644 });
    fs.chmodSync(keyFile, 0o644);
    cachedLoad(dir, cacheFile, keyFile);
    expect(fs.existsSync(cacheFile)).toBe(false);

    const own = scratch();
    const cache = ParseCache.open(own.cacheFile, own.keyFile);
    cache.put("a: .inf\n", 16, { a: Infinity });
    cache.put("b: -0\n", 16, { b: -0 });
    cache.put("c: 1\n", 16, { c: 1 });
    cache.save();
    const reopened = ParseCache.open(own.cacheFile, own.keyFile);
    expect([reopened.get("a: .inf\n", 16), reopened.get("b: -0\n", 16), reopened.get("c: 1\n", 16)]).toEqual([undefined, undefined, { value: { c: 1 } }]);
    // The alias limit is part of the key: a value parsed under other limits is not reused.
    expect(reopened.get("c: 1\n", 8)).toBeUndefined();
  });
});

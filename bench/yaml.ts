/**
 * Parsing cost of a hostile stack file: 2 MB, 50k keys in one map. The loader refuses such a
 * file at once by its size (1 MiB per file); this measures the parser behind that limit, with
 * the limit lifted, so a file just under it cannot take a minute either.
 *
 *   benchYaml() → { keys, bytes, ms, msQuadraticBaseline? }   (CPU ms: robust on a shared machine)
 *
 * `npx tsx bench/yaml.ts [--baseline]` also times the `yaml` package with its own
 * duplicate-key check (`uniqueKeys: true`, quadratic), what the loader used before.
 * Goal: under 3 s for 50k keys on the shared machine (linear; the baseline took ~31 s).
 */
import { parseDocument } from "yaml";
import { DEFAULT_YAML_LIMITS, parseYaml } from "../automation/fleet/yamlFile";

export function hostileStackFile(keys = 50_000): string {
  const lines = ["config:", "  meridian:domain: eu", "  meridian:role: pki", "  meridian:tags:"];
  for (let i = 0; i < keys; i++) lines.push(`    k${i}: ${"v".repeat(30)}`);
  return `${lines.join("\n")}\n`;
}

function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / 1000);
}

export function benchYaml(keys = 50_000, baseline = false): { keys: number; bytes: number; ms: number; msQuadraticBaseline?: number } {
  const text = hostileStackFile(keys);
  const ms = cpuMs(() => parseYaml("bench.yaml", text, { ...DEFAULT_YAML_LIMITS, fileBytes: Infinity }));
  if (!baseline) return { keys, bytes: text.length, ms };
  return { keys, bytes: text.length, ms, msQuadraticBaseline: cpuMs(() => parseDocument(text, { uniqueKeys: true }).toJS()) };
}

if (require.main === module) {
  const r = benchYaml(50_000, process.argv.includes("--baseline"));
  console.log(`yaml: ${r.keys} keys, ${(r.bytes / 1e6).toFixed(2)} MB parsed in ${r.ms} CPU ms (goal < 3000)${r.msQuadraticBaseline !== undefined ? `; yaml uniqueKeys:true baseline ${r.msQuadraticBaseline} CPU ms` : ""}`);
}

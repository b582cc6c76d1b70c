/**
 * The image rule, shared by Kubernetes workloads (K8S-02) and every other place a
 * container image is named (ECS, Lambda, Cloud Run, Container Apps, ACI, Batch): the image
 * comes from one of the domain's registries and is pinned by `@sha256:` digest — the same
 * rule the clusters' admission policy enforces.
 */
import type { ResolvedConfig } from "./config";

export const DIGEST = /@sha256:[a-f0-9]{64}$/;

export function registryAllowed(image: string, registries: readonly string[]): boolean {
  return registries.some((p) => (p.endsWith("/") ? image.startsWith(p) : image === p || image.startsWith(`${p}/`)));
}

/** What is wrong with `image` at `where` (empty when nothing). */
export function imageProblems(cfg: ResolvedConfig, where: string, image: unknown): string[] {
  if (typeof image !== "string" || image === "") {
    return [`${where} is not set`];
  }
  const problems: string[] = [];
  if (cfg.domain && !registryAllowed(image, cfg.registries)) {
    problems.push(
      cfg.registries.length === 0
        ? `${where} '${image}': no registries configured for ${cfg.domain} (set \`registries.${cfg.domain}\` in the pack config)`
        : `${where} '${image}' is not from a ${cfg.domain} registry (${cfg.registries.join(", ")})`,
    );
  }
  if (!DIGEST.test(image)) {
    problems.push(`${where} '${image}' is not pinned by @sha256 digest`);
  }
  return problems;
}

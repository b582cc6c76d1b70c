/**
 * Node-pool upgrade settings (surge, unavailability, drain, soak) in one cloud-neutral
 * shape, with per-cloud defaults that never force a drain: every cloud's node upgrade
 * evicts through the Eviction API, so PodDisruptionBudgets hold, and none of the settings
 * here can turn that off (EKS `forceUpdateVersion` stays false; AKS keeps its default
 * undrainable-node behaviour, which fails the upgrade rather than deleting pods).
 *
 * What each cloud honours (a setting a cloud cannot honour is refused, not ignored):
 * - EKS managed node groups: `maxUnavailable` only (a count 1–100 or a percentage 1–100%);
 *   EKS surges on its own and gives up on a node after 15 minutes of PDB-blocked eviction,
 *   failing the update.
 * - AKS agent pools: `maxSurge`, `maxUnavailable` (count or percentage), `drainTimeoutMinutes`
 *   (the wait on evictions, PDBs included, before the upgrade fails) and `soakMinutes`
 *   (wait after draining a node before reimaging it).
 * - GKE node pools: `maxSurge`, `maxUnavailable` (counts only, per zone), `strategy` surge
 *   or blue-green; `soakMinutes` is the blue-green batch soak. GKE honours PDBs for up to
 *   one hour per node and then evicts anyway — a cloud limit this code cannot lift
 *   (docs/clusters.md, "Node pool upgrades").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Cloud } from "../residency";

/** A node count, or a percentage of the pool such as `33%`. */
export type CountOrPercent = number | `${number}%`;

export interface NodePoolUpgradeArgs {
  /** (Optional) Extra nodes during an upgrade (AKS, GKE). Defaults: AKS `33%`, GKE 1; EKS surges by itself. */
  readonly maxSurge?: CountOrPercent;
  /** (Optional) Nodes that may be down at once. Defaults: EKS 1 (its minimum), AKS 0, GKE 0 — capacity never drops below the pool size where the cloud allows. */
  readonly maxUnavailable?: CountOrPercent;
  /** (Optional) AKS only: minutes to wait on evictions (PDBs honoured) before the upgrade fails, 1–1440. Defaults to 30. */
  readonly drainTimeoutMinutes?: number;
  /** (Optional) AKS: minutes between draining a node and reimaging it, 0–30; GKE blue-green: soak after each batch, 0–1440. Defaults to 0 (AKS), 10 (GKE blue-green). */
  readonly soakMinutes?: number;
  /** (Optional) GKE only: `surge` or `blue-green`. Defaults to `surge`. */
  readonly strategy?: "surge" | "blue-green";
}

/** The settled settings an adapter maps; only the fields its cloud honours are set. */
export interface UpgradeSpec {
  readonly maxSurge?: CountOrPercent;
  readonly maxUnavailable: CountOrPercent;
  readonly drainTimeoutMinutes?: number;
  readonly soakMinutes?: number;
  readonly strategy: "surge" | "blue-green";
}

const countOrPercent = z.union([z.int().min(0).max(1000), z.string().regex(/^\d{1,3}%$/, "a node count or a percentage such as 33%") as z.ZodType<`${number}%`>]);

/** The fleet config shape (`meridian:cluster.systemPool.upgrade`, `workloadPools[].upgrade`). */
export const nodePoolUpgradeSchema = z.strictObject({
  /** (Optional) Extra nodes during an upgrade, a count or `N%` (AKS, GKE). Defaults per cloud (docs/clusters.md). */
  maxSurge: countOrPercent.optional(),
  /** (Optional) Nodes down at once, a count or `N%`. Defaults: EKS 1, AKS 0, GKE 0. */
  maxUnavailable: countOrPercent.optional(),
  /** (Optional) AKS: eviction wait before the upgrade fails, 1–1440 minutes. Defaults to 30. */
  drainTimeoutMinutes: z.int().min(1).max(1440).optional(),
  /** (Optional) AKS node soak 0–30 / GKE blue-green batch soak 0–1440, minutes. Defaults to 0 / 10. */
  soakMinutes: z.int().min(0).max(1440).optional(),
  /** (Optional) GKE: `surge` or `blue-green`. Defaults to `surge`. */
  strategy: z.enum(["surge", "blue-green"]).optional(),
});

function percent(v: CountOrPercent | undefined): number | undefined {
  return typeof v === "string" ? Number(v.slice(0, -1)) : undefined;
}

function positive(v: CountOrPercent | undefined): boolean {
  return v !== undefined && (typeof v === "number" ? v > 0 : (percent(v) ?? 0) > 0);
}

/** Problems with one pool's settings on a cloud, each with its property path. */
export function validateUpgrade(cloud: Cloud, path: string, u: NodePoolUpgradeArgs | undefined): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  if (u === undefined) return problems;
  const add = (key: string, reason: string) => problems.push({ propertyPath: `${path}.upgrade.${key}`, reason });
  for (const key of ["maxSurge", "maxUnavailable"] as const) {
    const p = percent(u[key]);
    if (p !== undefined && p > 100) add(key, `a percentage is at most 100%, got ${u[key]}`);
  }
  if (cloud === "aws") {
    if (u.maxSurge !== undefined) add("maxSurge", "EKS managed node groups surge by themselves; set maxUnavailable only");
    if (u.drainTimeoutMinutes !== undefined) add("drainTimeoutMinutes", "EKS has a fixed 15-minute eviction wait (then the update fails); it is not configurable");
    if (u.soakMinutes !== undefined) add("soakMinutes", "EKS managed node groups have no node soak");
    if (u.strategy === "blue-green") add("strategy", "blue-green is a GKE strategy; EKS node groups roll with surge");
    if (u.maxUnavailable !== undefined && !positive(u.maxUnavailable)) add("maxUnavailable", "EKS needs at least 1 (or 1%)");
    if (typeof u.maxUnavailable === "number" && u.maxUnavailable > 100) add("maxUnavailable", `EKS allows at most 100 nodes, got ${u.maxUnavailable}`);
  }
  if (cloud === "azure") {
    if (u.strategy === "blue-green") add("strategy", "blue-green is a GKE strategy; AKS agent pools roll with surge");
    if (u.soakMinutes !== undefined && u.soakMinutes > 30) add("soakMinutes", `AKS allows a node soak of 0–30 minutes, got ${u.soakMinutes}`);
  }
  if (cloud === "gcp") {
    for (const key of ["maxSurge", "maxUnavailable"] as const) {
      if (typeof u[key] === "string") add(key, `GKE takes a node count (per zone), not a percentage; got ${u[key]}`);
    }
    if (u.drainTimeoutMinutes !== undefined) add("drainTimeoutMinutes", "GKE has no drain timeout setting (it honours PDBs for up to an hour per node)");
    if (u.soakMinutes !== undefined && (u.strategy ?? "surge") !== "blue-green") add("soakMinutes", "on GKE a soak applies to the blue-green strategy only");
  }
  if (cloud !== "aws") {
    const surge = u.maxSurge ?? (cloud === "azure" ? "33%" : 1);
    if (!positive(surge) && !positive(u.maxUnavailable ?? 0) && (u.strategy ?? "surge") === "surge") {
      add("maxSurge", "maxSurge and maxUnavailable cannot both be 0 (the upgrade could never start)");
    }
  }
  return problems;
}

/** Defaults per cloud, then the pool's own settings (validated first). */
export function settleUpgrade(cloud: Cloud, u: NodePoolUpgradeArgs | undefined): UpgradeSpec {
  const strategy = u?.strategy ?? "surge";
  switch (cloud) {
    case "aws":
      return { maxUnavailable: u?.maxUnavailable ?? 1, strategy };
    case "azure":
      return { maxSurge: u?.maxSurge ?? "33%", maxUnavailable: u?.maxUnavailable ?? 0, drainTimeoutMinutes: u?.drainTimeoutMinutes ?? 30, soakMinutes: u?.soakMinutes ?? 0, strategy };
    case "gcp":
      return strategy === "blue-green"
        ? { maxUnavailable: 0, soakMinutes: u?.soakMinutes ?? 10, strategy }
        : { maxSurge: u?.maxSurge ?? 1, maxUnavailable: u?.maxUnavailable ?? 0, strategy };
  }
}

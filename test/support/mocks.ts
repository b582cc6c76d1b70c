/**
 * Test helpers for components under `pulumi.runtime.setMocks`: install the mock cloud,
 * find what a component created, and turn Outputs into promises.
 *
 * Usage (per test file):
 *   const cloud = installMocks();            // before importing nothing else is needed
 *   const key = new ResidencyKey(...);
 *   await settle();
 *   const k = findOne(cloud, "aws:kms/key:Key");
 *   expect(k.inputs.enableKeyRotation).toBe(true);
 */
import * as pulumi from "@pulumi/pulumi";
import { MockCloud, type MockCloudOptions, type MockRecord } from "../../automation/plan/mock-cloud";
import { settings } from "../../automation/plan/runtimeInternals";

export function installMocks(options: MockCloudOptions & { preview?: boolean; stack?: string } = {}): MockCloud {
  const cloud = new MockCloud(options);
  void pulumi.runtime.setMocks(cloud, "meridian", options.stack ?? "eu-test", options.preview ?? false);
  return cloud;
}

/** Resolve an Output (or Input) to its value. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

/** Is this Output a secret? */
export function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(o);
}

/** Let every pending registration reach the mock. */
export async function settle(): Promise<void> {
  await settings.waitForRPCs();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export function findAll(cloud: MockCloud, type: string): MockRecord[] {
  return cloud.records.filter((r) => r.type === type);
}

export function findOne(cloud: MockCloud, type: string, nameIncludes?: string): MockRecord {
  const all = findAll(cloud, type).filter((r) => nameIncludes === undefined || r.name.includes(nameIncludes));
  if (all.length !== 1) {
    throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${all.length}: ${all.map((r) => r.name).join(", ")}`);
  }
  return all[0];
}

/** A mock input unwrapped from Pulumi's secret wrapper, and whether it was wrapped. */
export function unwrapSecret(v: unknown): { value: unknown; secret: boolean } {
  if (v !== null && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object)) {
    return { value: (v as { value: unknown }).value, secret: true };
  }
  return { value: v, secret: false };
}

/**
 * Container images outside Kubernetes (MER-IMG-01): ECS task definitions, Batch job
 * definitions, Lambda container images, Cloud Run services and jobs, Azure Container Apps
 * (apps and jobs) and Container Instances follow the rule the clusters' admission policy
 * and K8S-02 enforce — the domain's registries, pinned by digest (lib/images.ts).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, type ResourceCheckContext } from "../lib/define";
import { imageProblems } from "../lib/images";
import { arrayAt, at, equalsCI, UNKNOWN, type Props } from "../lib/values";

/** ECS `containerDefinitions` and Batch `containerProperties`/`ecsProperties` are JSON strings. */
function parseJson(ctx: ResourceCheckContext, path: string, v: unknown): unknown {
  if (typeof v !== "string") {
    return v;
  }
  try {
    return JSON.parse(v);
  } catch {
    ctx.report(`${path} is not valid JSON, so its images cannot be checked`);
    return undefined;
  }
}

function checkList(ctx: ResourceCheckContext, where: string, list: unknown, field = "image"): void {
  if (list === UNKNOWN) {
    ctx.unknown(where);
    return;
  }
  const items = Array.isArray(list) ? list : list === undefined || list === null ? [] : [list];
  items.forEach((c, i) => {
    const image = at(c, field);
    if (image === UNKNOWN) {
      ctx.unknown(`${where}[${i}].${field}`);
      return;
    }
    for (const p of imageProblems(ctx.cfg, `${where}[${i}].${field}`, image)) {
      ctx.report(p);
    }
  });
}

const IMAGE_LISTS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  "gcp:cloudrunv2/service:Service": [["template.containers", "image"]],
  "gcp:cloudrunv2/job:Job": [["template.template.containers", "image"]],
  "gcp:cloudrun/service:Service": [["template.spec.containers", "image"]],
  "azure-native:app:ContainerApp": [
    ["template.containers", "image"],
    ["template.initContainers", "image"],
  ],
  "azure-native:app:Job": [
    ["template.containers", "image"],
    ["template.initContainers", "image"],
  ],
  "azure-native:containerinstance:ContainerGroup": [
    ["containers", "image"],
    ["initContainers", "image"],
  ],
};

export const containerImages: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-baseline-container-image-pin",
    area: "baseline",
    rules: ["MER-IMG-01", "K8S-02"],
    description:
      "Container images outside Kubernetes (ECS task definitions, Batch job definitions, Lambda images, Cloud Run services/jobs, Azure Container Apps and jobs, Container Instances) come from the domain's registries, pinned by `@sha256:` digest.",
    why: "The same reason as in the clusters: an image from outside the domain's registries pulls code (and leaks pull metadata) across the boundary, and a tag can change under a running service.",
    remediation:
      "Mirror the image into the domain registry and reference it as `<registry>/<repo>@sha256:<digest>` (ECS: in the containerDefinitions JSON); list the registry prefixes in `registries.<domain>`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC7.1", "SOC2 CC8.1"],
    types: ["aws:ecs/taskDefinition:TaskDefinition", "aws:batch/jobDefinition:JobDefinition", "aws:lambda/function:Function", ...Object.keys(IMAGE_LISTS)],
  },
  (r, ctx) => {
    const props: Props = r.props;
    switch (r.type) {
      case "aws:ecs/taskDefinition:TaskDefinition": {
        const defs = at(props, "containerDefinitions");
        if (defs === UNKNOWN) {
          ctx.unknown("containerDefinitions");
          return;
        }
        checkList(ctx, "containerDefinitions", parseJson(ctx, "containerDefinitions", defs));
        return;
      }
      case "aws:batch/jobDefinition:JobDefinition": {
        for (const path of ["containerProperties", "ecsProperties"]) {
          const raw = at(props, path);
          if (raw === UNKNOWN) {
            ctx.unknown(path);
            continue;
          }
          const doc = parseJson(ctx, path, raw);
          if (doc === undefined || doc === null) {
            continue;
          }
          if (path === "containerProperties") {
            checkList(ctx, path, [doc]);
          } else {
            const tasks = arrayAt(doc, "taskProperties");
            (tasks === UNKNOWN ? [] : tasks).forEach((t, i) => checkList(ctx, `ecsProperties.taskProperties[${i}].containers`, at(t, "containers")));
          }
        }
        return;
      }
      case "aws:lambda/function:Function": {
        const packageType = at(props, "packageType");
        if (packageType === UNKNOWN) {
          ctx.unknown("packageType");
        } else if (equalsCI("Image")(packageType)) {
          const image = at(props, "imageUri");
          if (image === UNKNOWN) {
            ctx.unknown("imageUri");
          } else {
            imageProblems(ctx.cfg, "imageUri", image).forEach((p) => ctx.report(p));
          }
        }
        return;
      }
      default:
        for (const [list, field] of IMAGE_LISTS[r.type] ?? []) {
          checkList(ctx, list, arrayAt(props, list), field);
        }
    }
  },
);

export const containerPolicies = [containerImages];

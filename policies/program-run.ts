import { OfflineDeployment, runDeployment } from "../offline/deployment";
import type { RecordedResource } from "../offline/pulumi-mocks";
import type { EngineResource } from "./evaluate";
import { exampleConfig } from "./sources";
import { PACKAGE_ROOT } from "../package-root";

/** Where the committed stack files are (the repository, or the installed package, which ships them). */
const REPO_ROOT = PACKAGE_ROOT;

/** A placeholder for the workload stack's secret config, which the example file (rightly) does not hold. */
const OFFLINE_ORIGIN_SECRET = "offline-policy-check-placeholder-secret-0123456789";

/**
 * Both stack programs with their committed example config (`Pulumi.ca-dev.yaml`,
 * `Pulumi.workload-dev.yaml`), run offline as one deployment (offline/deployment.ts): the workload
 * program references the in-memory CA the CA program's own ca-issuer configuration describes.
 * `overrides` adds config to both (with `edge-mtls:environment`, the stacks are named
 * `ca-<environment>` and `workload-<environment>`, as they would be); `perStack` to one of them
 * (`undefined` removes a key the stack file sets). `files` picks the stack files
 * (`Pulumi.ca-<files>.yaml`, `Pulumi.workload-<files>.yaml`; default dev).
 */
export async function runExampleDeployment(overrides: Record<string, string> = {}, perStack: { ca?: Record<string, string | undefined>; workload?: Record<string, string | undefined> } = {}, files = "dev"): Promise<OfflineDeployment> {
  const environment = overrides["edge-mtls:environment"] ?? "dev";
  const merge = (...layers: (Record<string, string | undefined> | undefined)[]) => Object.fromEntries(Object.entries(Object.assign({}, ...layers) as Record<string, string | undefined>).filter((e): e is [string, string] => e[1] !== undefined));
  return runDeployment(
    { stack: `ca-${environment}`, config: merge(exampleConfig(REPO_ROOT, `ca-${files}`), overrides, perStack.ca) },
    {
      stack: `workload-${environment}`,
      config: merge(exampleConfig(REPO_ROOT, `workload-${files}`), { "edge-mtls:originSecret": OFFLINE_ORIGIN_SECRET }, overrides, perStack.workload),
      secretKeys: ["edge-mtls:originSecret", "edge-mtls:previousOriginSecret"],
    },
  );
}

/** What one stack program would create, run offline with its committed example config (and the CA stack it needs). */
export async function runProgram(kind: "ca" | "workload"): Promise<RecordedResource[]> {
  return (await runExampleDeployment())[kind];
}

/** Recorded resources as the engine shows them to policies (inputs plus mocked outputs; the provider's props). */
export function toEngineResources(resources: readonly RecordedResource[], stack: string): EngineResource[] {
  const urnOf = (r: { type: string; name: string }) => `urn:pulumi:${stack}::edge-mtls::${r.type}::${r.name}`;
  const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:"));
  return resources
    .filter((r) => !r.type.startsWith("pulumi:providers:"))
    .map((r) => {
      const provider = providers.find((p) => r.provider?.includes(`::${p.name}::`));
      return {
        type: r.type,
        name: r.name,
        urn: urnOf(r),
        props: { ...(r.outputs ?? {}), ...r.inputs },
        provider: provider ? { type: provider.type, name: provider.name, urn: urnOf(provider), props: provider.inputs } : undefined,
      };
    });
}

import { join } from "node:path";
import { OfflineDeployment, runDeployment } from "../offline/deployment";
import type { RecordedResource } from "../offline/pulumi-mocks";
import type { EngineResource } from "./evaluate";
import { exampleConfig } from "./sources";

const REPO_ROOT = join(__dirname, "..");

/** A placeholder for the workload stack's secret config, which the example file (rightly) does not hold. */
const OFFLINE_ORIGIN_SECRET = "offline-policy-check-placeholder-secret-0123456789";

/**
 * Both stack programs with their committed example config (`Pulumi.ca-dev.yaml`,
 * `Pulumi.workload-dev.yaml`), run offline as one deployment: the workload program references the
 * in-memory CA the CA program's own ca-issuer configuration describes. `overrides` adds config
 * (e.g. `edge-mtls:environment`) to both.
 */
export async function runExampleDeployment(overrides: Record<string, string> = {}): Promise<OfflineDeployment> {
  return runDeployment(
    { stack: "ca-dev", config: { ...exampleConfig(REPO_ROOT, "ca-dev"), ...overrides } },
    { stack: "workload-dev", config: { ...exampleConfig(REPO_ROOT, "workload-dev"), "edge-mtls:originSecret": OFFLINE_ORIGIN_SECRET, ...overrides }, secretKeys: ["edge-mtls:originSecret"] },
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

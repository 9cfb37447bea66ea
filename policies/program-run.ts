import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { handle as caAdmin, BootstrapResult } from "../functions/ca-admin";
import { CA_ENV } from "../functions/shared/contract";
import { DEFAULT_NAME_POLICIES } from "../components/serverless-ca";
import { memoryCaDeps } from "../offline/memory-ca";
import { installMocks, promiseOf, recorded, RecordedResource, resetRecorded, settle, useCa } from "../offline/pulumi-mocks";
import type { EngineResource } from "./evaluate";
import { exampleConfig } from "./sources";

const REPO_ROOT = join(__dirname, "..");

/** A placeholder for the workload stack's secret config, which the example file (rightly) does not hold. */
const OFFLINE_ORIGIN_SECRET = "offline-policy-check-placeholder-secret-0123456789";

/**
 * Runs a stack program under the offline mocks with its committed example config
 * (`Pulumi.ca-dev.yaml`, `Pulumi.workload-dev.yaml`) and returns what it would create. The
 * workload program references an in-memory CA bootstrapped by the real ca-admin.
 */
export async function runProgram(kind: "ca" | "workload"): Promise<RecordedResource[]> {
  const config = exampleConfig(REPO_ROOT, `${kind}-dev`);
  if (kind === "workload") {
    const ca = memoryCaDeps({
      [CA_ENV.tableName]: "offline",
      [CA_ENV.bucketName]: "edge-mtls-dev-ca-artifacts",
      [CA_ENV.rootKeyId]: "offline-root",
      [CA_ENV.issuingKeyId]: "offline-issuing",
      [CA_ENV.rootSubject]: JSON.stringify({ commonName: "Offline Root CA" }),
      [CA_ENV.issuingSubject]: JSON.stringify({ commonName: "Offline Issuing CA" }),
      [CA_ENV.policy]: JSON.stringify({ names: DEFAULT_NAME_POLICIES }),
    });
    const bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
    useCa({ issuerDeps: ca.worker, outputs: { ...bootstrap, issuerFunctionArn: "arn:aws:lambda:eu-west-2:111111111111:function:edge-mtls-dev-ca-issuer", caBucketName: "edge-mtls-dev-ca-artifacts", caAccountId: "111111111111" } });
    config["edge-mtls:originSecret"] = OFFLINE_ORIGIN_SECRET;
  }
  installMocks(config, `${kind}-dev`, kind === "workload" ? ["edge-mtls:originSecret"] : []);
  resetRecorded();
  const outputs: Record<string, pulumi.Output<unknown>> =
    kind === "ca" ? ((await import("../ca-stack")).caStack() as unknown as Record<string, pulumi.Output<unknown>>) : ((await import("../workload-stack")).workloadStack() as unknown as Record<string, pulumi.Output<unknown>>);
  await Promise.all(Object.values(outputs).filter(pulumi.Output.isInstance).map((o) => promiseOf(o)));
  await settle();
  useCa(undefined);
  return [...recorded];
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

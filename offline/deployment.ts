import * as pulumi from "@pulumi/pulumi";
import { handle as caAdmin, BootstrapResult } from "../functions/ca-admin";
import { AwsRulesRefused, deploymentRefusals, takeRefusals } from "./aws-rules/enforce";
import type { AwsViolation } from "./aws-rules";
import { memoryCaDeps } from "./memory-ca";
import { ACCOUNT_ID, installMocks, MockCa, promiseOf, recorded, RecordedResource, resetRecorded, settle, useCa } from "./pulumi-mocks";

/**
 * The offline deployment: both stack programs run under the mocks, as `pulumi up` would run them
 * one after the other, with AWS's rules enforced at registration and, when a run completes, across
 * resources. The policy checker and the tests run the programs through here (the rehearsal can too).
 */

/** A program run failed the way `pulumi up` would: AWS refusals, or an error raised by the program. */
export class OfflineDeploymentFailed extends Error {
  constructor(
    readonly stack: string,
    readonly refusals: readonly AwsViolation[],
    readonly errors: readonly string[],
  ) {
    super(
      [
        `the offline deployment of ${stack} failed, as \`pulumi up\` would:`,
        ...(refusals.length > 0 ? [new AwsRulesRefused(refusals).message] : []),
        ...[...new Set(errors)].map((e) => `  - ${e}`),
      ].join("\n"),
    );
    this.name = "OfflineDeploymentFailed";
  }
}

/** One stack program to run: which, its stack name and config (`setAllConfig` form), its secret keys. */
export interface StackRun {
  readonly kind: "ca" | "workload";
  readonly stack: string;
  readonly config: Record<string, string>;
  readonly secretKeys?: readonly string[];
  /** The CA stack the workload program references (its outputs and the in-memory CA behind ca-issuer). */
  readonly ca?: MockCa;
}

async function program(kind: "ca" | "workload"): Promise<Record<string, unknown>> {
  return kind === "ca" ? ((await import("../ca-stack")).caStack() as unknown as Record<string, unknown>) : ((await import("../workload-stack")).workloadStack() as unknown as Record<string, unknown>);
}

/**
 * Runs one stack program under the mocks and returns what it declared, or throws
 * {@link OfflineDeploymentFailed} with every refusal and program error. Registration failures
 * surface as rejected promises all over the Pulumi runtime; during the run they are collected
 * here instead of reaching the process's handlers.
 */
export async function runStack(run: StackRun): Promise<RecordedResource[]> {
  const errors: string[] = [];
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const collect = (reason: unknown) => errors.push(reason instanceof Error ? reason.message : String(reason));
  process.on("unhandledRejection", collect);
  try {
    takeRefusals();
    installMocks(run.config, run.stack, [...(run.secretKeys ?? [])]);
    resetRecorded();
    useCa(run.ca);
    let outputs: Record<string, unknown> = {};
    try {
      outputs = await program(run.kind);
    } catch (error) {
      errors.push((error as Error).message);
    }
    const values = Object.values(outputs).filter(pulumi.Output.isInstance) as pulumi.Output<unknown>[];
    // Outputs of a refused resource never resolve: stop waiting once something failed and all is quiet.
    const failed = (async () => {
      for (;;) {
        await settle();
        if (errors.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.race([Promise.all(values.map((o) => promiseOf(o))).then(settle), failed]);
    await settle();
    const refusals = takeRefusals();
    const resources = [...recorded];
    refusals.push(...deploymentRefusals(resources));
    if (refusals.length > 0 || errors.length > 0) throw new OfflineDeploymentFailed(run.stack, refusals, errors.filter((e) => !/AWS would refuse/.test(e) || refusals.length === 0));
    return resources;
  } finally {
    useCa(undefined);
    process.removeListener("unhandledRejection", collect);
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
}

/** The environment the CA program gave its ca-issuer function (what the in-memory CA is built from). */
export function issuerEnvironment(caResources: readonly RecordedResource[]): { environment: Record<string, string>; arn: string; bucket: string } {
  const issuer = caResources.find((r) => r.type === "aws:lambda/function:Function" && /-ca-issuer$/.test(String(r.inputs.name)));
  if (!issuer) throw new Error("the CA program declared no ca-issuer function");
  const bucket = caResources.find((r) => r.type === "aws:s3/bucket:Bucket");
  return { environment: issuer.inputs.environment.variables, arn: issuer.outputs?.arn, bucket: bucket?.outputs?.bucket };
}

/** The CA stack as the workload stack sees it: an in-memory CA configured exactly as the CA program configures ca-issuer, bootstrapped by the real ca-admin. */
export async function caStackFrom(caResources: readonly RecordedResource[]): Promise<MockCa> {
  const { environment, arn, bucket } = issuerEnvironment(caResources);
  const ca = memoryCaDeps(environment);
  const bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
  return { issuerDeps: ca.worker, outputs: { ...bootstrap, issuerFunctionArn: arn, caBucketName: bucket, caAccountId: ACCOUNT_ID } };
}

/** What a run of both programs declared, per stack. */
export interface OfflineDeployment {
  readonly ca: RecordedResource[];
  readonly workload: RecordedResource[];
}

/**
 * Runs the CA program, then the workload program against that CA (as `pulumi up --stack ca-…`
 * then `--stack workload-…` would), then the cross-stack rules over both. Throws
 * {@link OfflineDeploymentFailed} at the first stack AWS (or the CA) would refuse.
 */
export async function runDeployment(ca: Omit<StackRun, "kind" | "ca">, workload: Omit<StackRun, "kind" | "ca">): Promise<OfflineDeployment> {
  const caResources = await runStack({ ...ca, kind: "ca" });
  const workloadResources = await runStack({ ...workload, kind: "workload", ca: await caStackFrom(caResources) });
  const crossStack = deploymentRefusals([...caResources, ...workloadResources]);
  if (crossStack.length > 0) throw new OfflineDeploymentFailed(`${ca.stack} + ${workload.stack}`, crossStack, []);
  return { ca: caResources, workload: workloadResources };
}

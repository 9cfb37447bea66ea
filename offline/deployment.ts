import * as pulumi from "@pulumi/pulumi";
import { handle as caAdmin, BootstrapResult } from "../functions/ca-admin";
import { parseStackRole } from "../stack-role";
import type { WorkloadStackOptions } from "../workload-stack";
import { AwsRulesRefused, currentRefusals, deploymentRefusals, takeRefusals } from "./aws-rules/enforce";
import { formatViolation, type AwsViolation } from "./aws-rules";
import { memoryCaDeps } from "./memory-ca";
import { ACCOUNT_ID, installMocks, MockCa, ORGANIZATION, PROJECT, promiseOf, recorded, RecordedResource, resetRecorded, settle, useCa } from "./pulumi-mocks";

/**
 * The offline deployment: the one way the stack programs run offline. Both programs run under the
 * mocks, as `pulumi up` would run them one after the other, with AWS's rules enforced at
 * registration and, when a run completes, across resources. The policy checker
 * (`policy:check --program`) and the program tests run the programs through here.
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
  /** The workload program's options: the CA stack handed over in memory (the Automation API), a clock. */
  readonly workload?: WorkloadStackOptions;
}

/** What one program run declared, and its stack outputs (resolved). */
export interface StackRunResult {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

async function program(run: StackRun): Promise<Record<string, unknown>> {
  // The stack file's role must be the program run (index.ts picks the program by it).
  const role = run.config["edge-mtls:role"];
  if (role !== undefined && parseStackRole(role) !== run.kind) throw new Error(`${run.stack}'s config sets edge-mtls:role ${role}, not ${run.kind}`);
  return run.kind === "ca"
    ? ((await import("../ca-stack")).caStack() as unknown as Record<string, unknown>)
    : ((await import("../workload-stack")).workloadStack(run.workload) as unknown as Record<string, unknown>);
}

/** Errors already attributed to the resource whose registration raised them (one error can reach several awaiters). */
const attributed = new WeakSet<object>();
let attributing = false;

/**
 * Makes a program's own error name the resource it broke: an `apply` that throws while a
 * resource's inputs are serialized reaches the process as `error serializing property "x": …`,
 * which names a property but neither the resource nor its type. Pulumi's runtime reaches the
 * serializer through its module's exports, where the resource's label (`resource:<name>[<type>]`)
 * is in hand; the message is prefixed in place (the error's identity matters to the runtime's
 * de-duplication).
 */
function attributeRegistrationErrors(): void {
  if (attributing) return;
  attributing = true;
  const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeResourceProperties: (label: string, ...rest: unknown[]) => Promise<unknown> };
  const serialize = rpc.serializeResourceProperties;
  rpc.serializeResourceProperties = async (label: string, ...rest: unknown[]) => {
    try {
      return await serialize(label, ...rest);
    } catch (error) {
      const resource = /^resource:(.+)\[([^\]]+)\]$/.exec(label);
      if (resource && error instanceof Error && !attributed.has(error)) {
        attributed.add(error);
        const property = /^error serializing property "([^"]+)": /.exec(error.message);
        error.message = `${resource[2]} ${resource[1]}${property ? ` (computing ${property[1]})` : ""}: ${property ? error.message.slice(property[0].length) : error.message}`;
      }
      throw error;
    }
  };
}

/**
 * Runs one stack program under the mocks and returns what it declared, or throws
 * {@link OfflineDeploymentFailed} with every refusal and program error. Registration failures
 * surface as rejected promises all over the Pulumi runtime; during the run they are collected
 * here instead of reaching the process's handlers.
 */
export async function runStack(run: StackRun): Promise<StackRunResult> {
  const errors: string[] = [];
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const collect = (reason: unknown) => errors.push(reason instanceof Error ? reason.message : String(reason));
  process.on("unhandledRejection", collect);
  try {
    takeRefusals();
    attributeRegistrationErrors();
    installMocks(run.config, run.stack, [...(run.secretKeys ?? [])]);
    resetRecorded();
    useCa(run.ca);
    let outputs: Record<string, unknown> = {};
    try {
      outputs = await program(run);
    } catch (error) {
      errors.push((error as Error).message);
    }
    const resolved: Record<string, unknown> = {};
    const values = Object.entries(outputs).map(([name, value]) => (pulumi.Output.isInstance(value) ? promiseOf(value as pulumi.Output<unknown>).then((v) => (resolved[name] = v)) : (resolved[name] = value)));
    // Outputs of a refused resource never resolve: stop waiting once something failed and all is quiet.
    let finished = false;
    const failed = (async () => {
      while (!finished) {
        await settle();
        if (errors.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.race([Promise.all(values).then(settle), failed]);
    finished = true;
    await failed;
    await settle();
    const refusals = takeRefusals();
    const resources = [...recorded];
    refusals.push(...deploymentRefusals(resources));
    if (refusals.length > 0 || errors.length > 0) throw new OfflineDeploymentFailed(run.stack, refusals, errors.filter((e) => !/AWS would refuse/.test(e) || refusals.length === 0));
    return { resources, outputs: resolved };
  } finally {
    useCa(undefined);
    process.removeListener("unhandledRejection", collect);
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
}

/** The environment the CA program gave its ca-issuer function (what the in-memory CA is built from). */
export function issuerEnvironment(caResources: readonly RecordedResource[]): Record<string, string> {
  const issuer = caResources.find((r) => r.type === "aws:lambda/function:Function" && /-ca-issuer$/.test(String(r.inputs.name)));
  if (!issuer) throw new Error("the CA program declared no ca-issuer function");
  return issuer.inputs.environment.variables;
}

/**
 * The CA stack as the workload stack sees it: the CA program's own stack outputs, with the
 * certificate material of an in-memory CA configured exactly as the CA program configures
 * ca-issuer and bootstrapped by the real ca-admin (its keys sign what the workload requests).
 */
export async function caStackFrom(caRun: StackRunResult): Promise<MockCa> {
  const ca = memoryCaDeps(issuerEnvironment(caRun.resources));
  const bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
  return { issuerDeps: ca.worker, outputs: { ...caRun.outputs, ...bootstrap, caAccountId: ACCOUNT_ID } };
}

/** What a run of both programs declared, per stack, and their stack outputs. */
export interface OfflineDeployment {
  readonly ca: RecordedResource[];
  readonly workload: RecordedResource[];
  readonly outputs: { readonly ca: Record<string, unknown>; readonly workload: Record<string, unknown> };
  /** The CA stack as the workload run saw it: its outputs and the in-memory CA behind ca-issuer (the rehearsal issues from it). */
  readonly caStack: MockCa;
  /** The stack names the two programs ran as. */
  readonly stacks: { readonly ca: string; readonly workload: string };
}

/**
 * AWS's rules over the workload stack's resources as they stand now, for declarations edited after
 * the run (the rehearsal's mutations: registration never saw the edit): every resource rule, the
 * workload's cross-resource rules and the cross-stack ones. Throws {@link OfflineDeploymentFailed}
 * naming the workload stack, as `pulumi up` of the edited program would fail.
 */
export function recheckWorkload(deployment: OfflineDeployment): void {
  const found = [...currentRefusals(deployment.workload), ...deploymentRefusals([...deployment.ca, ...deployment.workload])];
  const seen = new Set<string>();
  const refusals = found.filter((v) => {
    const key = `${v.resource.type} ${v.resource.name} ${formatViolation(v)}`;
    return !seen.has(key) && seen.add(key);
  });
  if (refusals.length > 0) throw new OfflineDeploymentFailed(deployment.stacks.workload, refusals, []);
}

/** The CA stack a workload run read: its StackReference's name (the mocks record the reference as a resource of that name). */
export function referencedCaStack(workloadResources: readonly RecordedResource[]): string | undefined {
  return workloadResources.find((r) => r.type === "pulumi:pulumi:StackReference")?.name;
}

/**
 * Runs the CA program, then the workload program against that CA (as `pulumi up --stack ca-…`
 * then `--stack workload-…` would), then the cross-stack rules over both. Throws
 * {@link OfflineDeploymentFailed} at the first stack AWS (or the CA) would refuse, and when the
 * workload stack reads another CA stack than the one deployed (two stack files that do not pair).
 */
export async function runDeployment(ca: Omit<StackRun, "kind" | "ca">, workload: Omit<StackRun, "kind" | "ca">): Promise<OfflineDeployment> {
  const caRun = await runStack({ ...ca, kind: "ca" });
  const caStack = await caStackFrom(caRun);
  const workloadRun = await runStack({ ...workload, kind: "workload", ca: caStack });
  const read = referencedCaStack(workloadRun.resources);
  const deployed = [ca.stack, `${ORGANIZATION}/${PROJECT}/${ca.stack}`];
  if (read !== undefined && !deployed.includes(read)) throw new OfflineDeploymentFailed(`${ca.stack} + ${workload.stack}`, [], [`${workload.stack} reads the CA stack ${read}, not ${deployed[1]}: set edge-mtls:caStack (or the environment) so the two stacks pair`]);
  const crossStack = deploymentRefusals([...caRun.resources, ...workloadRun.resources]);
  if (crossStack.length > 0) throw new OfflineDeploymentFailed(`${ca.stack} + ${workload.stack}`, crossStack, []);
  return { ca: caRun.resources, workload: workloadRun.resources, outputs: { ca: caRun.outputs, workload: workloadRun.outputs }, caStack, stacks: { ca: ca.stack, workload: workload.stack } };
}

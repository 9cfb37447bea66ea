/**
 * edge-mtls's Automation API entry point for internal tools:
 *
 *   import { deployAll } from "edge-mtls/automation";
 *   const results = await deployAll({ env: "dev", onOutput: (stack, line) => console.log(stack, line) });
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { localWorkspaceAdapter, REPO_ROOT } from "./local-workspace";
import { runPlan, StackResult, WorkspaceAdapter } from "./orchestrator";
import { Action, knownEnvironments, planRun } from "./plan";

export { AutomationError } from "./plan";
export type { StackResult } from "./orchestrator";

/** Options of a run through the library. */
export interface RunOptions {
  readonly env: string;
  readonly caProfile?: string;
  readonly workloadProfile?: string;
  /** destroy only: also destroy a protected (prod) CA. */
  readonly force?: boolean;
  readonly onOutput?: (stack: string, line: string) => void;
  readonly onProgress?: (stack: string, message: string) => void;
  /** Another workspace (tests, other backends); default LocalWorkspace on this repository. */
  readonly adapter?: WorkspaceAdapter;
}

/** Runs `action` on both stacks of `env`, in the right order. */
export async function runAll(action: Action, options: RunOptions): Promise<StackResult[]> {
  const steps = planRun({
    action,
    env: options.env,
    knownEnvs: knownEnvironments(readdirSync(REPO_ROOT)),
    policyPackPath: join(REPO_ROOT, "policies"),
    force: options.force,
    caProfile: options.caProfile,
    workloadProfile: options.workloadProfile,
  });
  return runPlan(steps, options.adapter ?? localWorkspaceAdapter(), { output: options.onOutput ?? (() => undefined), progress: options.onProgress ?? (() => undefined) });
}

export const deployAll = (options: RunOptions) => runAll("deploy", options);
export const previewAll = (options: RunOptions) => runAll("preview", options);
export const destroyAll = (options: RunOptions) => runAll("destroy", options);
export const outputsAll = (options: RunOptions) => runAll("outputs", options);

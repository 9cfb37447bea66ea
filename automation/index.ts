/**
 * edge-mtls's Automation API for internal tools: both stacks of an environment, in the right
 * order, from the caller's Pulumi project directory.
 *
 *   import { deployAll } from "edge-mtls/automation";
 *   const results = await deployAll({ env: "staging", workDir: "/srv/infra", onOutput: (stack, line) => console.log(stack, line) });
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PACKAGE_ROOT } from "../package-root";
import type { PulumiCliOptions } from "./local-workspace";
import { runPlan, StackResult, WorkspaceAdapter } from "./orchestrator";
import { Action, AutomationError, planRun } from "./plan";

export { AutomationError, CA_CONTRACT, knownEnvironments, PROTECTED_ENVS } from "./plan";
export type { Action, AutomationErrorCode, StackStep } from "./plan";
export { formatSummary } from "./orchestrator";
export type { Reporter, StackFailure, StackHandle, StackProgram, StackResult, WorkspaceAdapter } from "./orchestrator";
export type { PulumiCliOptions } from "./local-workspace";
export type { EngineEvent } from "@pulumi/pulumi/automation";

/** The edge-mtls-guard policy pack shipped in this package. */
export const POLICY_PACK_DIR = join(PACKAGE_ROOT, "policies");

/** Options of a run through the library. */
export interface RunOptions {
  /** The environment: the stacks `ca-<env>` and `workload-<env>`. */
  readonly env: string;
  /**
   * The Pulumi project directory: its Pulumi.yaml (the project name) and the stack files
   * Pulumi.ca-<env>.yaml and Pulumi.workload-<env>.yaml. Default the current working directory.
   * The default local state backend lives under it, in `.pulumi-state/`.
   */
  readonly workDir?: string;
  readonly caProfile?: string;
  readonly workloadProfile?: string;
  /** destroy only: also destroy a protected (prod) CA. */
  readonly force?: boolean;
  /** Policy packs run with preview and deploy; default this package's edge-mtls-guard ({@link POLICY_PACK_DIR}). */
  readonly policyPacks?: readonly string[];
  /** JSON config files of those packs (enforcement levels, exemptions), one per pack, in order. */
  readonly policyPackConfigs?: readonly string[];
  /** Environment variables of the Pulumi CLI (backend, passphrase, AWS); default `process.env`. */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** Which Pulumi CLI to use: the one on PATH by default; `{ install: true }` installs it when missing. */
  readonly pulumiCli?: PulumiCliOptions;
  /** Each line of engine output, as it comes. */
  readonly onOutput?: (stack: string, line: string) => void;
  /** Each structured engine event (resource steps, diagnostics, policy violations, summary). */
  readonly onEvent?: (stack: string, event: EngineEvent) => void;
  /** Each stack's start and end. */
  readonly onProgress?: (stack: string, message: string) => void;
  /** Another workspace (tests, other backends); default LocalWorkspace on `workDir`. */
  readonly adapter?: WorkspaceAdapter;
}

/** The work directory's file names, or a typed error saying what is wrong with it. */
function workDirFiles(workDir: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(workDir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new AutomationError("WORKDIR_INVALID", `the work directory ${workDir} does not exist or is not a directory`, "workDir");
  return readdirSync(workDir);
}

/**
 * Runs `action` on both stacks of `env`, in the right order. Refusals (a bad env, a missing
 * project or CLI, the protected CA) throw an {@link AutomationError} before anything runs; a
 * stack that fails is a result with `result: "failed"` and its `error`, and the stacks after it
 * are `skipped`.
 */
export async function runAll(action: Action, options: RunOptions): Promise<StackResult[]> {
  const workDir = resolve(options.workDir ?? process.cwd());
  const steps = planRun({
    action,
    env: options.env,
    workDirFiles: workDirFiles(workDir),
    policyPacks: options.policyPacks ?? [POLICY_PACK_DIR],
    policyPackConfigs: options.policyPackConfigs,
    force: options.force,
    caProfile: options.caProfile,
    workloadProfile: options.workloadProfile,
  });
  const adapter = options.adapter ?? (await import("./local-workspace")).localWorkspaceAdapter({ workDir, processEnv: options.processEnv ?? process.env, pulumiCli: options.pulumiCli });
  return runPlan(steps, adapter, {
    output: options.onOutput ?? (() => undefined),
    event: options.onEvent ?? (() => undefined),
    progress: options.onProgress ?? (() => undefined),
  });
}

/** Deploys the CA stack, then the workload stack, with the policy packs. */
export const deployAll = (options: RunOptions): Promise<StackResult[]> => runAll("deploy", options);
/** Previews both stacks, in order, with the policy packs. */
export const previewAll = (options: RunOptions): Promise<StackResult[]> => runAll("preview", options);
/** Destroys the workload stack, then the CA stack (a protected CA needs `force`). */
export const destroyAll = (options: RunOptions): Promise<StackResult[]> => runAll("destroy", options);
/** Both stacks' outputs, secrets as `"[secret]"`. */
export const outputs = (options: RunOptions): Promise<StackResult[]> => runAll("outputs", options);

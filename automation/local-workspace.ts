import { join } from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { AutomationError, PULUMI_MISSING, StackStep } from "./plan";
import type { StackHandle, StackProgram, WorkspaceAdapter } from "./orchestrator";

/** Which Pulumi CLI to drive. */
export interface PulumiCliOptions {
  /**
   * Install the CLI when it is not found: the version that matches this package's Pulumi SDK,
   * into `root` (default `~/.pulumi/versions/<version>`), from get.pulumi.com. Default false.
   */
  readonly install?: boolean;
  /** Directory of a CLI installation (its `bin/pulumi`); default the `pulumi` on PATH. */
  readonly root?: string;
}

/**
 * Finds the Pulumi CLI (or installs it) with the Automation API's own `PulumiCommand`, which also
 * checks that its version is one this SDK supports; a missing or unsupported CLI is a typed error.
 */
export async function findPulumiCli(options: PulumiCliOptions = {}, command: Pick<typeof PulumiCommand, "get" | "install"> = PulumiCommand): Promise<PulumiCommand> {
  try {
    return options.install ? await command.install(options.root ? { root: options.root } : undefined) : await command.get(options.root ? { root: options.root } : undefined);
  } catch (error) {
    const text = (error as Error)?.message ?? String(error);
    if (/ENOENT|not found/i.test(text)) throw new AutomationError("PULUMI_MISSING", PULUMI_MISSING, "pulumiCli");
    // A failed download is a CLI that is still missing, not one of an unsupported version.
    if (options.install && /download|fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|install\.sh/i.test(text)) {
      throw new AutomationError("PULUMI_MISSING", `the Pulumi CLI is not installed, and installing it failed (${text.split("\n").filter((l) => l.trim()).slice(-1)[0]!.trim()}): install it yourself (https://www.pulumi.com/docs/install/) and retry`, "pulumiCli");
    }
    throw new AutomationError("PULUMI_UNSUPPORTED", `the Pulumi CLI${options.root ? ` in ${options.root}` : ""} cannot be used: ${text.split("\n").filter((l) => l.trim()).slice(-2).join(" ").trim()}`, "pulumiCli");
  }
}

/** Options of the LocalWorkspace adapter. */
export interface LocalWorkspaceAdapterOptions {
  /** The Pulumi project directory: its Pulumi.yaml and Pulumi.<stack>.yaml files. */
  readonly workDir: string;
  /** Environment variables of the Pulumi CLI (backend, passphrase, AWS settings). */
  readonly processEnv: NodeJS.ProcessEnv;
  readonly pulumiCli?: PulumiCliOptions;
}

/** The stack programs, loaded when a stack runs (they bring in @pulumi/aws). */
async function programOf(program: StackProgram): Promise<() => Promise<Record<string, unknown>>> {
  if (program.role === "ca") {
    const { caStack } = await import("../ca-stack");
    return async () => ({ ...caStack() });
  }
  const { workloadStack } = await import("../workload-stack");
  return async () => workloadStack({ caStack: program.caStack });
}

/**
 * The Automation API adapter: one LocalWorkspace per stack in the caller's project directory, the
 * stack's program inline (edge-mtls's own compiled program, run in this process: no TypeScript
 * runtime needed); the state backend from PULUMI_BACKEND_URL or, when unset, a local file backend
 * under `<workDir>/.pulumi-state/` (which then needs PULUMI_CONFIG_PASSPHRASE for secrets); the
 * account's AWS profile per stack. Stack files are read by Pulumi and never written by us.
 */
export function localWorkspaceAdapter(options: LocalWorkspaceAdapterOptions): WorkspaceAdapter {
  const { processEnv: env, workDir } = options;
  const backend = env.PULUMI_BACKEND_URL ?? `file://${join(workDir, ".pulumi-state")}`;
  let pulumiCommand: PulumiCommand | undefined;
  return {
    checkCli: async () => {
      pulumiCommand = await findPulumiCli(options.pulumiCli);
      if (backend.startsWith("file://") && env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
        throw new AutomationError("PASSPHRASE_MISSING", "the local state backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or PULUMI_BACKEND_URL for another backend");
      }
    },
    openStack: async (step: StackStep, program: StackProgram): Promise<StackHandle> => {
      const envVars: Record<string, string> = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
      envVars.PULUMI_BACKEND_URL = backend;
      if (step.awsProfile) envVars.AWS_PROFILE = step.awsProfile;
      const stack: Stack = await LocalWorkspace.createOrSelectStack({ stackName: step.stack, projectName: "edge-mtls", program: await programOf(program) }, { workDir, envVars, pulumiCommand });
      return {
        configuredRole: async () => {
          const role = (await stack.getAllConfig())["edge-mtls:role"];
          return role?.value;
        },
        run: async (operation, runOptions) => {
          const common = { onOutput: (text: string) => text.split("\n").filter(Boolean).forEach(runOptions.onOutput), onEvent: runOptions.onEvent };
          const packs = { policyPacks: [...runOptions.policyPacks], policyPackConfigs: [...runOptions.policyPackConfigs] };
          if (operation === "preview") return { changes: (await stack.preview({ ...common, ...packs })).changeSummary as Record<string, number> };
          if (operation === "up") return { changes: ((await stack.up({ ...common, ...packs })).summary.resourceChanges ?? {}) as Record<string, number> };
          return { changes: ((await stack.destroy(common)).summary.resourceChanges ?? {}) as Record<string, number> };
        },
        outputs: async () => stack.outputs(),
      };
    },
  };
}

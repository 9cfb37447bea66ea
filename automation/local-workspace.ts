import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { AutomationError, PULUMI_MISSING, StackStep } from "./plan";
import type { StackHandle, WorkspaceAdapter } from "./orchestrator";

export const REPO_ROOT = join(__dirname, "..");

/** Is the Pulumi CLI on PATH? (The Automation API drives it.) */
export function checkPulumiCli(env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync("pulumi", ["version"], { env, encoding: "utf8" });
  if (result.error) throw new AutomationError(PULUMI_MISSING);
}

/**
 * The Automation API adapter: one LocalWorkspace per stack on this repository, with the state
 * backend from PULUMI_BACKEND_URL or, when unset, a local file backend under `.pulumi-state/`
 * (which then needs PULUMI_CONFIG_PASSPHRASE for secrets); the account's AWS profile per stack.
 */
export function localWorkspaceAdapter(env: NodeJS.ProcessEnv = process.env): WorkspaceAdapter {
  const backend = env.PULUMI_BACKEND_URL ?? `file://${join(REPO_ROOT, ".pulumi-state")}`;
  return {
    checkCli: async () => {
      checkPulumiCli(env);
      if (backend.startsWith("file://") && env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
        throw new AutomationError("the local state backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or PULUMI_BACKEND_URL for another backend");
      }
    },
    openStack: async (step: StackStep): Promise<StackHandle> => {
      const envVars: Record<string, string> = { PULUMI_BACKEND_URL: backend };
      if (step.awsProfile) envVars.AWS_PROFILE = step.awsProfile;
      const stack = await LocalWorkspace.createOrSelectStack({ stackName: step.stack, workDir: REPO_ROOT }, { envVars });
      const organization = backend.startsWith("file://") ? "organization" : (env.PULUMI_ORG ?? (await stack.workspace.whoAmI()).user);
      return {
        fullyQualifiedName: `${organization}/edge-mtls/${step.stack}`,
        setConfig: (config) => stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }]))),
        run: async (operation, options) => {
          const common = { onOutput: (text: string) => text.split("\n").filter(Boolean).forEach(options.onOutput) };
          if (operation === "preview") return { changes: (await stack.preview({ ...common, policyPacks: [...options.policyPacks] })).changeSummary as Record<string, number> };
          if (operation === "up") return { changes: ((await stack.up({ ...common, policyPacks: [...options.policyPacks] })).summary.resourceChanges ?? {}) as Record<string, number> };
          return { changes: ((await stack.destroy(common)).summary.resourceChanges ?? {}) as Record<string, number> };
        },
        outputs: async () => stack.outputs(),
      };
    },
  };
}

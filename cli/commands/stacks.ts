import { resolve } from "node:path";
import type { Action } from "../../automation/plan";
import { Command } from "../command";

interface Flags {
  env?: string;
  "work-dir"?: string;
  "policy-pack-config"?: string;
  "install-pulumi"?: boolean;
  force?: boolean;
  json?: boolean;
  "ca-profile"?: string;
  "workload-profile"?: string;
}

const SUMMARIES: Record<Action, string> = {
  deploy: "Deploy the CA stack, then the workload stack (which reads the CA's outputs), through the Pulumi Automation API, with the policy pack.",
  preview: "Preview both stacks, in order, with the policy pack.",
  destroy: "Destroy the workload stack, then the CA stack; a protected prod CA needs --force.",
  outputs: "Print both stacks' outputs (secrets hidden).",
};

/** `edge-mtls deploy|preview|destroy|outputs --env ENV`. */
export function stackCommand(action: Action): Command<Flags> {
  return {
    words: [action],
    summary: SUMMARIES[action],
    flags: {
      env: { type: "string", required: true, description: "environment: the stacks ca-<env> and workload-<env>" },
      "work-dir": { type: "string", description: "the Pulumi project directory: Pulumi.yaml and the Pulumi.ca-<env>.yaml / Pulumi.workload-<env>.yaml stack files", defaultText: "the current directory" },
      ...(action === "deploy" || action === "preview" ? { "policy-pack-config": { type: "string" as const, description: "JSON config of the edge-mtls-guard pack (enforcement levels, exemptions)" } } : {}),
      "install-pulumi": { type: "boolean", description: "install the Pulumi CLI (the SDK's version) when it is not on PATH" },
      ...(action === "destroy" ? { force: { type: "boolean" as const, description: "also destroy a protected (prod) CA" } } : {}),
      "ca-profile": { type: "string", description: "AWS profile of the CA account", defaultText: "the standard credential chain" },
      "workload-profile": { type: "string", description: "AWS profile of the workload account", defaultText: "the standard credential chain" },
      json: { type: "boolean", description: "print the summary as JSON (engine output goes to stderr)" },
    },
    async run(flags, _positionals, io) {
      // Loaded here, not at CLI start: the Automation API brings in the whole Pulumi SDK.
      const { runAll, formatSummary } = await import("../../automation");
      const engine = flags.json ? io.stderr : io.stdout;
      const results = await runAll(action, {
        env: flags.env!,
        workDir: resolve(io.cwd, flags["work-dir"] ?? "."),
        force: flags.force,
        caProfile: flags["ca-profile"],
        workloadProfile: flags["workload-profile"],
        policyPackConfigs: flags["policy-pack-config"] ? [resolve(io.cwd, flags["policy-pack-config"])] : undefined,
        pulumiCli: { install: flags["install-pulumi"] },
        onOutput: (stack, line) => engine.write(`[${stack}] ${line}\n`),
        onProgress: (stack, message) => io.stderr.write(`==> ${stack}: ${message}\n`),
      });
      io.stdout.write(flags.json ? JSON.stringify({ action, env: flags.env, results }, null, 2) + "\n" : "\n" + formatSummary(results));
      return results.every((r) => r.result === "succeeded") ? 0 : 1;
    },
  };
}

import type { Action } from "../../automation/plan";
import { Command } from "../command";

interface Flags {
  env?: string;
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
      ...(action === "destroy" ? { force: { type: "boolean" as const, description: "also destroy a protected (prod) CA" } } : {}),
      "ca-profile": { type: "string", description: "AWS profile of the CA account", defaultText: "the standard credential chain" },
      "workload-profile": { type: "string", description: "AWS profile of the workload account", defaultText: "the standard credential chain" },
      json: { type: "boolean", description: "print the summary as JSON (engine output goes to stderr)" },
    },
    async run(flags, _positionals, io) {
      // Loaded here, not at CLI start: the Automation API brings in the whole Pulumi SDK.
      const [{ runAll }, { formatSummary }, { AutomationError }] = await Promise.all([import("../../automation"), import("../../automation/orchestrator"), import("../../automation/plan")]);
      const engine = flags.json ? io.stderr : io.stdout;
      const results = await runAll(action, {
        env: flags.env!,
        force: flags.force,
        caProfile: flags["ca-profile"],
        workloadProfile: flags["workload-profile"],
        onOutput: (stack, line) => engine.write(`[${stack}] ${line}\n`),
        onProgress: (stack, message) => io.stderr.write(`==> ${stack}: ${message}\n`),
      }).catch((error) => {
        if (error instanceof AutomationError) throw Object.assign(new Error(error.message), { name: "AutomationError" });
        throw error;
      });
      io.stdout.write(flags.json ? JSON.stringify({ action, env: flags.env, results }, null, 2) + "\n" : "\n" + formatSummary(results));
      return results.every((r) => r.result === "succeeded") ? 0 : 1;
    },
  };
}

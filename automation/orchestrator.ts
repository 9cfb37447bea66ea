import { formatTable } from "../cli/text-table";
import { AutomationError, CA_CONTRACT, explainEngineError, StackStep } from "./plan";

/** What one operation on one stack came to. */
export interface StackResult {
  readonly stack: string;
  readonly operation: StackStep["operation"];
  readonly result: "succeeded" | "failed" | "skipped";
  /** Resource changes by kind (create, update, delete, same, …). */
  readonly changes: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly error?: string;
  readonly outputs?: Readonly<Record<string, unknown>>;
}

/** One stack, as the orchestrator drives it (LocalWorkspace in real runs, a fake in tests). */
export interface StackHandle {
  /** `<org>/<project>/<stack>`: what the workload stack's StackReference names. */
  readonly fullyQualifiedName: string;
  setConfig(config: Readonly<Record<string, string>>): Promise<void>;
  run(operation: "up" | "preview" | "destroy", options: { policyPacks: readonly string[]; onOutput: (line: string) => void }): Promise<{ changes: Record<string, number> }>;
  outputs(): Promise<Record<string, { value: unknown; secret: boolean }>>;
}

/** Opens stacks; checks the CLI is there. */
export interface WorkspaceAdapter {
  checkCli(): Promise<void>;
  openStack(step: StackStep): Promise<StackHandle>;
}

/** Streams engine output and progress. */
export interface Reporter {
  output(stack: string, line: string): void;
  progress(stack: string, message: string): void;
}

/**
 * Runs the plan's steps in order through the adapter: the CA stack first, its outputs checked
 * against the contract and its name handed to the workload stack as `edge-mtls:caStack`. The first
 * failure stops the run; later stacks are not touched (reported as skipped). Secrets in outputs
 * stay hidden.
 */
export async function runPlan(steps: readonly StackStep[], adapter: WorkspaceAdapter, reporter: Reporter, clock: () => number = Date.now): Promise<StackResult[]> {
  await adapter.checkCli();
  const results: StackResult[] = [];
  let caStackName: string | undefined;
  let failed = false;
  for (const step of steps) {
    if (failed) {
      results.push({ stack: step.stack, operation: step.operation, result: "skipped", changes: {}, durationMs: 0 });
      continue;
    }
    const started = clock();
    try {
      reporter.progress(step.stack, `${step.operation} starting`);
      const stack = await adapter.openStack(step);
      const config: Record<string, string> = { ...step.config };
      if (step.needsCaStack && step.operation !== "destroy" && step.operation !== "outputs") {
        if (!caStackName) throw new AutomationError(`${step.stack} needs the CA stack's name, but the CA stack did not run first`);
        config["edge-mtls:caStack"] = caStackName;
      }
      await stack.setConfig(config);
      let changes: Record<string, number> = {};
      if (step.operation !== "outputs") ({ changes } = await stack.run(step.operation, { policyPacks: step.policyPacks, onOutput: (line) => reporter.output(step.stack, line) }));
      const outputs = await stack.outputs();
      if (step.role === "ca" && step.operation === "up") {
        const missing = CA_CONTRACT.filter((name) => !(name in outputs));
        if (missing.length > 0) throw new AutomationError(`the CA stack ${step.stack} has no ${missing.join(", ")} output(s); the workload stack is not touched`);
      }
      if (step.role === "ca") caStackName = stack.fullyQualifiedName;
      const shown = Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.secret ? "[secret]" : o.value]));
      results.push({ stack: step.stack, operation: step.operation, result: "succeeded", changes, durationMs: clock() - started, outputs: shown });
      reporter.progress(step.stack, `${step.operation} succeeded`);
    } catch (error) {
      failed = true;
      const text = (error as Error).message ?? String(error);
      const message = error instanceof AutomationError ? text : explainEngineError(step.stack, text) ?? `${step.operation} failed: ${text.split("\n").slice(-5).join(" ").trim()}`;
      results.push({ stack: step.stack, operation: step.operation, result: "failed", changes: {}, durationMs: clock() - started, error: message });
      reporter.progress(step.stack, `${step.operation} FAILED: ${message}`);
    }
  }
  return results;
}

/** The summary table: stack, operation, result, changes, duration. */
export function formatSummary(results: readonly StackResult[]): string {
  const rows = results.map((r) => [r.stack, r.operation, r.result, Object.entries(r.changes).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "-", `${(r.durationMs / 1000).toFixed(1)} s`]);
  return formatTable(["stack", "operation", "result", "changes", "duration"], rows) + results.filter((r) => r.error).map((r) => `${r.stack}: ${r.error}\n`).join("");
}

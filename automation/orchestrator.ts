import type { EngineEvent } from "@pulumi/pulumi/automation";
import { formatTable } from "../cli/text-table";
import { AutomationError, AutomationErrorCode, CA_CONTRACT, explainEngineError, StackStep } from "./plan";

/** Why a stack's operation failed: a stable code and a sentence. */
export interface StackFailure {
  readonly code: AutomationErrorCode;
  readonly message: string;
}

/** What one operation on one stack came to. */
export interface StackResult {
  readonly stack: string;
  readonly operation: StackStep["operation"];
  readonly result: "succeeded" | "failed" | "skipped";
  /** Resource changes by kind (create, update, delete, same, …). */
  readonly changes: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly error?: StackFailure;
  /** The stack's outputs after the operation, secrets as `"[secret]"`. */
  readonly outputs?: Readonly<Record<string, unknown>>;
}

/** The program a stack runs: the CA's, or the workload's reading the named CA stack. */
export type StackProgram = { readonly role: "ca" } | { readonly role: "workload"; readonly caStack: string };

/** One stack, as the orchestrator drives it (LocalWorkspace in real runs, a fake in tests). */
export interface StackHandle {
  /** The stack's `edge-mtls:role` from its own config file, when it sets one (read, never written). */
  configuredRole(): Promise<string | undefined>;
  run(
    operation: "up" | "preview" | "destroy",
    options: { policyPacks: readonly string[]; policyPackConfigs: readonly string[]; onOutput: (line: string) => void; onEvent: (event: EngineEvent) => void },
  ): Promise<{ changes: Record<string, number> }>;
  outputs(): Promise<Record<string, { value: unknown; secret: boolean }>>;
}

/** Opens stacks; checks the CLI is there. */
export interface WorkspaceAdapter {
  checkCli(): Promise<void>;
  openStack(step: StackStep, program: StackProgram): Promise<StackHandle>;
}

/** Streams engine output, engine events and progress. */
export interface Reporter {
  output(stack: string, line: string): void;
  event(stack: string, event: EngineEvent): void;
  progress(stack: string, message: string): void;
}

/** The CA stack a workload step reads: the one its environment names. */
function caStackOf(step: StackStep): string {
  return step.stack.replace(/^workload-/, "ca-");
}

/** A failure as the result reports it: ours as they are, the engine's explained when we can. */
function failureOf(step: StackStep, error: unknown): StackFailure {
  if (error instanceof AutomationError) return { code: error.code, message: error.message };
  const text = (error as Error)?.message ?? String(error);
  const explained = explainEngineError(step.stack, text);
  if (explained) return { code: explained.code, message: explained.message };
  return { code: "ENGINE_FAILED", message: `${step.operation} failed: ${text.split("\n").filter((l) => l.trim()).slice(-5).join(" ").trim()}` };
}

/**
 * Runs the plan's steps in order through the adapter: the CA stack first, its outputs checked
 * against the contract; the workload stack's program gets the CA stack's name in memory (stack
 * files are never written). The first failure stops the run; later stacks are not touched
 * (reported as skipped). Secrets in outputs stay hidden.
 */
export async function runPlan(steps: readonly StackStep[], adapter: WorkspaceAdapter, reporter: Reporter, clock: () => number = Date.now): Promise<StackResult[]> {
  await adapter.checkCli();
  const results: StackResult[] = [];
  const done = new Set<string>();
  let failed = false;
  for (const step of steps) {
    if (failed) {
      results.push({ stack: step.stack, operation: step.operation, result: "skipped", changes: {}, durationMs: 0 });
      continue;
    }
    const started = clock();
    try {
      reporter.progress(step.stack, `${step.operation} starting`);
      let program: StackProgram = { role: "ca" };
      if (step.needsCaStack) {
        const caStack = caStackOf(step);
        if ((step.operation === "up" || step.operation === "preview") && !done.has(caStack)) throw new AutomationError("CA_NOT_RUN", `${step.stack} reads the CA stack ${caStack}, which did not run first in this run`);
        program = { role: "workload", caStack };
      }
      const stack = await adapter.openStack(step, program);
      const role = await stack.configuredRole();
      if (role !== undefined && role !== step.role) {
        throw new AutomationError("ROLE_MISMATCH", `Pulumi.${step.stack}.yaml sets edge-mtls:role to ${JSON.stringify(role)}, but ${step.stack} is the ${step.role} stack: fix or remove that line`, "env");
      }
      let changes: Record<string, number> = {};
      if (step.operation !== "outputs") {
        ({ changes } = await stack.run(step.operation, {
          policyPacks: step.policyPacks,
          policyPackConfigs: step.policyPackConfigs,
          onOutput: (line) => reporter.output(step.stack, line),
          onEvent: (event) => reporter.event(step.stack, event),
        }));
      }
      const outputs = await stack.outputs();
      if (step.role === "ca" && step.operation === "up") {
        const missing = CA_CONTRACT.filter((name) => !(name in outputs));
        if (missing.length > 0) throw new AutomationError("CA_CONTRACT", `the CA stack ${step.stack} has no ${missing.join(", ")} output(s); the workload stack is not touched`);
      }
      done.add(step.stack);
      const shown = Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.secret ? "[secret]" : o.value]));
      results.push({ stack: step.stack, operation: step.operation, result: "succeeded", changes, durationMs: clock() - started, outputs: shown });
      reporter.progress(step.stack, `${step.operation} succeeded`);
    } catch (error) {
      failed = true;
      const failure = failureOf(step, error);
      results.push({ stack: step.stack, operation: step.operation, result: "failed", changes: {}, durationMs: clock() - started, error: failure });
      reporter.progress(step.stack, `${step.operation} FAILED: ${failure.message}`);
    }
  }
  return results;
}

/** The summary table: stack, operation, result, changes, duration; then each failure with its code. */
export function formatSummary(results: readonly StackResult[]): string {
  const rows = results.map((r) => [r.stack, r.operation, r.result, Object.entries(r.changes).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "-", `${(r.durationMs / 1000).toFixed(1)} s`]);
  return formatTable(["stack", "operation", "result", "changes", "duration"], rows) + results.filter((r) => r.error).map((r) => `${r.stack}: error ${r.error!.code}: ${r.error!.message}\n`).join("");
}

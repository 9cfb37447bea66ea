/**
 * The offline policy checker: the pack's policies on a `pulumi stack export` file, or on what a
 * stack program would create (run under the offline mocks).
 *
 *   npm run policy:check -- --state FILE [--config FILE] [--json]
 *   npm run policy:check -- --program ca|workload [--dump FILE] [--config FILE] [--json]
 *
 * Exit 0: no mandatory violation; 1: mandatory violations; 2: unusable input, or a value a policy
 * needs that it cannot read (a secret held as ciphertext, an unknown value, a malformed value).
 * Errors print as one line, never a stack trace.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatTable } from "../cli/text-table";
import { CheckConfig, evaluate, EngineResource, validateCheckConfig, Violation } from "./evaluate";
import { POLICIES } from "./policies";
import { runProgram, toEngineResources } from "./program-run";
import { InputError, resourcesFromExport } from "./sources";
import { OfflineDeploymentFailed } from "../offline/deployment";

/** Runs the checker; returns the exit code. */
export async function check(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { state: { type: "string" }, program: { type: "string" }, dump: { type: "string" }, config: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } }, strict: true }).values;
  } catch (error) {
    io.stderr(`policy:check: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help || (!values.state && !values.program) || (values.state && values.program)) {
    io.stderr("Usage: npm run policy:check -- --state FILE | --program ca|workload [--dump FILE] [--config FILE] [--json]\n");
    return values.help ? 0 : 2;
  }
  let config: CheckConfig = {};
  let resources: EngineResource[];
  try {
    if (values.config) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(resolve(io.cwd, values.config), "utf8"));
      } catch (error) {
        throw new InputError(`cannot read the policy config ${values.config}: ${(error as Error).message}`);
      }
      try {
        config = validateCheckConfig(raw, POLICIES);
      } catch (error) {
        throw new InputError((error as Error).message);
      }
    }
    if (values.state) {
      resources = resourcesFromExport(resolve(io.cwd, values.state));
    } else {
      if (values.program !== "ca" && values.program !== "workload") throw new InputError(`--program must be ca or workload; got ${JSON.stringify(values.program)}`);
      const recorded = await runProgram(values.program);
      resources = toEngineResources(recorded, `${values.program}-dev`);
      if (values.dump) {
        const dump = recorded.filter((r) => !r.type.startsWith("pulumi:providers:")).map((r, i) => ({ type: r.type, name: r.name, urn: resources[i]?.urn, inputs: r.maskedInputs ?? r.inputs, provider: r.provider }));
        writeFileSync(resolve(io.cwd, values.dump), JSON.stringify(dump, null, 2) + "\n");
      }
    }
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`policy:check: ${oneLine(error)}\n`);
      return 2;
    }
    // The program would not deploy: AWS (or the CA) refuses what it declares, as `pulumi up` would fail.
    if (error instanceof OfflineDeploymentFailed) {
      io.stderr(`policy:check: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  let all: Violation[];
  try {
    all = evaluate(resources, POLICIES, config);
  } catch (error) {
    io.stderr(`policy:check: cannot check this input: ${oneLine(error)}\n`);
    return 2;
  }
  const unreadable = all.filter((v) => v.unreadable);
  const violations = all.filter((v) => !v.unreadable);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  if (values.json) io.stdout(JSON.stringify({ resources: resources.length, violations, unreadable }, null, 2) + "\n");
  else {
    const cannot = unreadable.length > 0 ? `; ${unreadable.length} value(s) could not be judged, so the check fails` : "";
    io.stdout(table(violations) + `\n${resources.length} resources checked against ${POLICIES.length} policies: ${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)${cannot}.\n`);
  }
  for (const v of unreadable) io.stderr(`policy:check: ${v.policy} cannot judge ${oneLine(v.message)}\n`);
  if (unreadable.length > 0) return 2;
  return mandatory.length > 0 ? 1 : 0;
}

/** An error's message on one line, cut short: what the checker prints instead of a stack trace. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

function table(violations: readonly Violation[]): string {
  if (violations.length === 0) return "No violations.\n";
  return formatTable(["level", "policy", "resource", "message"], violations.map((v) => [v.enforcementLevel, v.policy, v.resource ?? "(stack)", v.message]));
}

if (require.main === module) {
  check(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() }).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`policy:check: ${oneLine(error)}\n`);
      process.exit(2);
    },
  );
}

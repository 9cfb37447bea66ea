import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { AutomationError, POLICY_PACK_DIR, previewAll, runAll } from "../../automation";
import { findPulumiCli, localWorkspaceAdapter } from "../../automation/local-workspace";
import { formatSummary, StackHandle, StackProgram, WorkspaceAdapter } from "../../automation/orchestrator";
import { explainEngineError, knownEnvironments, planRun, PULUMI_MISSING } from "../../automation/plan";
import { put, tempDir } from "../support/tools";

const CA_OUTPUTS = { rootCaCertPem: "r", issuingCaCertPem: "i", trustBundlePem: "b", issuerFunctionArn: "arn", caBucketName: "bucket" };

/** A workspace that records what was asked of each stack (and with which program) and fails where told. */
function fakeWorkspace(options: { failOn?: string; caOutputs?: Record<string, unknown>; secretOutput?: string; roles?: Record<string, string> } = {}) {
  const calls: string[] = [];
  const programs: Record<string, StackProgram> = {};
  const packs: Record<string, { policyPacks: readonly string[]; policyPackConfigs: readonly string[] }> = {};
  const adapter: WorkspaceAdapter = {
    checkCli: async () => void calls.push("checkCli"),
    openStack: async (step, program): Promise<StackHandle> => {
      programs[step.stack] = program;
      return {
        configuredRole: async () => options.roles?.[step.stack],
        run: async (operation, opts) => {
          calls.push(`${operation} ${step.stack} packs=${opts.policyPacks.length}`);
          packs[step.stack] = { policyPacks: opts.policyPacks, policyPackConfigs: opts.policyPackConfigs };
          opts.onOutput(`Updating (${step.stack})`);
          opts.onEvent({ sequence: 1, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 3 }, policyPacks: {} } } as EngineEvent);
          if (options.failOn === step.stack) throw new Error("error: update failed\n  aws:kms:Key root-key: AccessDeniedException");
          return { changes: { create: 3, same: 1 } };
        },
        outputs: async () =>
          step.role === "ca"
            ? Object.fromEntries(Object.entries(options.caOutputs ?? CA_OUTPUTS).map(([k, v]) => [k, { value: v, secret: false }]))
            : { edgeUrl: { value: "https://www.example.com", secret: false }, ...(options.secretOutput ? { token: { value: options.secretOutput, secret: true } } : {}) },
      };
    },
  };
  return { adapter, calls, programs, packs };
}

/** A scratch Pulumi project (not this repository) with the stack files of `envs`. */
function scratchProject(envs: string[]) {
  const dir = tempDir("edge-mtls-scratch-");
  put(dir.dir, "Pulumi.yaml", "name: platform-edge\nruntime: nodejs\n");
  for (const env of envs) {
    put(dir.dir, `Pulumi.ca-${env}.yaml`, `config:\n  edge-mtls:role: ca\n  aws:region: eu-west-2\n`);
    put(dir.dir, `Pulumi.workload-${env}.yaml`, `config:\n  edge-mtls:role: workload\n  aws:region: eu-west-2\n`);
  }
  const snapshot = () => Object.fromEntries(readdirSync(dir.dir).map((f) => [f, readFileSync(join(dir.dir, f), "utf8")]));
  return { ...dir, snapshot };
}

const FILES = ["Pulumi.yaml", "Pulumi.ca-dev.yaml", "Pulumi.workload-dev.yaml", "Pulumi.ca-prod.yaml", "Pulumi.workload-prod.yaml"];

describe("automation: the plan (pure)", () => {
  const base = { env: "dev", workDirFiles: FILES, policyPacks: ["/pkg/policies"] };

  it("deploys and previews the CA stack before the workload stack, with the policy packs and their configs", () => {
    for (const action of ["deploy", "preview"] as const) {
      const steps = planRun({ ...base, action, policyPackConfigs: ["/ci/pack.json"] });
      assert.deepEqual(steps.map((s) => [s.stack, s.role, s.needsCaStack, s.policyPacks, s.policyPackConfigs]), [
        ["ca-dev", "ca", false, ["/pkg/policies"], ["/ci/pack.json"]],
        ["workload-dev", "workload", true, ["/pkg/policies"], ["/ci/pack.json"]],
      ]);
    }
    assert.deepEqual(planRun({ ...base, action: "outputs" })[0]!.policyPacks, [], "no packs without an engine run");
  });

  it("destroys in reverse, and refuses the protected prod CA without force", () => {
    assert.deepEqual(planRun({ ...base, action: "destroy" }).map((s) => s.stack), ["workload-dev", "ca-dev"]);
    assert.throws(() => planRun({ ...base, env: "prod", action: "destroy" }), (e: AutomationError) => e.code === "CA_PROTECTED" && e.field === "force" && /refusing to destroy the protected prod CA .* add --force/.test(e.message));
    assert.deepEqual(planRun({ ...base, env: "prod", action: "destroy", force: true }).map((s) => s.stack), ["workload-prod", "ca-prod"]);
  });

  it("knows environments from the work directory's stack files, and refuses others, a bad name and a directory that is no project", () => {
    assert.deepEqual(knownEnvironments(["Pulumi.yaml", "Pulumi.ca-dev.yaml", "Pulumi.workload-dev.yaml", "Pulumi.ca-qa.yaml"]), ["dev"]);
    assert.throws(() => planRun({ ...base, env: "qa", action: "deploy" }), (e: AutomationError) => e.code === "ENV_UNKNOWN" && e.field === "env" && /unknown env qa: .*no Pulumi.ca-qa.yaml and Pulumi.workload-qa.yaml; known: dev, prod/.test(e.message));
    assert.throws(() => planRun({ ...base, env: "Dev!", action: "deploy" }), (e: AutomationError) => e.code === "ENV_INVALID" && /env must be 1-20 lower-case/.test(e.message));
    assert.throws(() => planRun({ ...base, workDirFiles: FILES.slice(1), action: "deploy" }), (e: AutomationError) => e.code === "PROJECT_MISSING" && e.field === "workDir");
    assert.throws(() => planRun({ ...base, action: "deploy", policyPackConfigs: ["a.json", "b.json"] }), (e: AutomationError) => e.code === "OPTION_INVALID");
  });

  it("passes each account's AWS profile to its stack", () => {
    const steps = planRun({ ...base, action: "deploy", caProfile: "ca-admin", workloadProfile: "workload-admin" });
    assert.deepEqual(steps.map((s) => s.awsProfile), ["ca-admin", "workload-admin"]);
  });

  it("explains the engine errors people hit, as typed errors", () => {
    const ca = explainEngineError("ca-dev", "error: no valid credential sources for AWS Provider found")!;
    assert.equal(ca.code, "NO_CREDENTIALS");
    assert.match(ca.message, /no usable AWS credentials for ca-dev: .*--ca-profile/);
    assert.match(explainEngineError("workload-dev", "NoCredentialProviders: no valid providers in chain")!.message, /--workload-profile/);
    assert.equal(explainEngineError("ca-dev", "error: something else"), undefined);
  });
});

describe("automation: the Pulumi CLI, found by the Automation API's PulumiCommand", () => {
  it("reports a CLI that is not there as PULUMI_MISSING, with how to install it", async () => {
    const empty = tempDir();
    try {
      await assert.rejects(findPulumiCli({ root: empty.dir }), (e: AutomationError) => e.code === "PULUMI_MISSING" && e.message === PULUMI_MISSING);
      // The real LocalWorkspace adapter stops there: nothing is opened, nothing written.
      const project = scratchProject(["dev"]);
      const before = project.snapshot();
      const adapter = localWorkspaceAdapter({ workDir: project.dir, processEnv: {}, pulumiCli: { root: empty.dir } });
      await assert.rejects(previewAll({ env: "dev", workDir: project.dir, adapter }), (e: AutomationError) => e.code === "PULUMI_MISSING");
      assert.deepEqual(project.snapshot(), before);
      project.cleanup();
    } finally {
      empty.cleanup();
    }
  });

  it("reports an install that could not download the CLI as PULUMI_MISSING (still missing), and a CLI too old as PULUMI_UNSUPPORTED", async () => {
    const refused = (message: string) => async () => {
      throw new Error(message);
    };
    const offline = { get: refused("unused"), install: refused("Failed to download https://get.pulumi.com/install.sh: fetch failed") };
    await assert.rejects(findPulumiCli({ install: true }, offline as never), (e: AutomationError) => e.code === "PULUMI_MISSING" && e.field === "pulumiCli" && /installing it failed \(Failed to download https:\/\/get\.pulumi\.com\/install\.sh: fetch failed\)/.test(e.message));
    const old = { get: refused("Minimum version requirement failed. The minimum CLI version requirement is 3.147.0, your current CLI version is 3.100.0."), install: refused("unused") };
    await assert.rejects(findPulumiCli({}, old as never), (e: AutomationError) => e.code === "PULUMI_UNSUPPORTED" && /minimum CLI version requirement is 3\.147\.0/.test(e.message));
  });
});

describe("automation: the orchestrator (through a fake workspace)", () => {
  const project = scratchProject(["dev", "qa"]);
  after(project.cleanup);
  const run = (action: "deploy" | "preview" | "destroy" | "outputs", adapter: WorkspaceAdapter, extra: object = {}) => runAll(action, { env: "dev", workDir: project.dir, adapter, ...extra });

  it("deploys in order, handing the CA stack's name to the workload program in memory; streams output and engine events", async () => {
    const fake = fakeWorkspace();
    const lines: string[] = [];
    const events: string[] = [];
    const results = await run("deploy", fake.adapter, { onOutput: (stack: string, line: string) => lines.push(`${stack}: ${line}`), onEvent: (stack: string, event: EngineEvent) => events.push(`${stack}: ${JSON.stringify(event.summaryEvent?.resourceChanges)}`) });
    assert.deepEqual(fake.calls, ["checkCli", "up ca-dev packs=1", "up workload-dev packs=1"]);
    assert.deepEqual(fake.programs, { "ca-dev": { role: "ca" }, "workload-dev": { role: "workload", caStack: "ca-dev" } });
    assert.deepEqual(results.map((r) => [r.stack, r.result, r.changes]), [["ca-dev", "succeeded", { create: 3, same: 1 }], ["workload-dev", "succeeded", { create: 3, same: 1 }]]);
    assert.deepEqual(lines, ["ca-dev: Updating (ca-dev)", "workload-dev: Updating (workload-dev)"]);
    assert.deepEqual(events, ['ca-dev: {"create":3}', 'workload-dev: {"create":3}']);
    assert.match(formatSummary(results), /ca-dev\s+up\s+succeeded\s+create 3, same 1/);
  });

  it("runs this package's policy pack by default, or the packs and configs given", async () => {
    const fake = fakeWorkspace();
    await run("preview", fake.adapter);
    assert.deepEqual(fake.packs["ca-dev"], { policyPacks: [POLICY_PACK_DIR], policyPackConfigs: [] });
    assert.ok(readdirSync(POLICY_PACK_DIR).includes("PulumiPolicy.yaml"));
    const custom = fakeWorkspace();
    await run("preview", custom.adapter, { policyPacks: ["/org/packs/guard"], policyPackConfigs: ["/org/packs/guard.json"] });
    assert.deepEqual(custom.packs["workload-dev"], { policyPacks: ["/org/packs/guard"], policyPackConfigs: ["/org/packs/guard.json"] });
  });

  it("stops when the CA stack fails: the workload stack is not touched, and the failure is typed", async () => {
    const fake = fakeWorkspace({ failOn: "ca-dev" });
    const results = await run("deploy", fake.adapter);
    assert.deepEqual(fake.calls, ["checkCli", "up ca-dev packs=1"]);
    assert.deepEqual(results.map((r) => r.result), ["failed", "skipped"]);
    assert.equal(results[0]!.error!.code, "ENGINE_FAILED");
    assert.match(results[0]!.error!.message, /up failed: .*AccessDeniedException/);
    assert.match(formatSummary(results), /ca-dev: error ENGINE_FAILED: up failed/);
  });

  it("stops when the CA stack lacks the outputs the workload stack reads", async () => {
    const fake = fakeWorkspace({ caOutputs: { rootCaCertPem: "r" } });
    const results = await run("deploy", fake.adapter);
    assert.deepEqual(results.map((r) => r.result), ["failed", "skipped"]);
    assert.equal(results[0]!.error!.code, "CA_CONTRACT");
    assert.match(results[0]!.error!.message, /has no issuingCaCertPem, trustBundlePem, issuerFunctionArn, caBucketName output\(s\); the workload stack is not touched/);
  });

  it("refuses a stack whose own config names the other role, before running it", async () => {
    const fake = fakeWorkspace({ roles: { "ca-dev": "workload" } });
    const results = await run("preview", fake.adapter);
    assert.deepEqual(fake.calls, ["checkCli"]);
    assert.equal(results[0]!.error!.code, "ROLE_MISMATCH");
    assert.match(results[0]!.error!.message, /Pulumi.ca-dev.yaml sets edge-mtls:role to "workload"/);
  });

  it("destroys the workload stack first, and keeps secrets hidden in outputs", async () => {
    const destroy = fakeWorkspace();
    await run("destroy", destroy.adapter);
    assert.deepEqual(destroy.calls, ["checkCli", "destroy workload-dev packs=0", "destroy ca-dev packs=0"]);
    const outputs = fakeWorkspace({ secretOutput: "s3cr3t" });
    const results = await run("outputs", outputs.adapter);
    assert.deepEqual(results[1]!.outputs, { edgeUrl: "https://www.example.com", token: "[secret]" });
    assert.ok(!JSON.stringify(results).includes("s3cr3t"));
  });

  it("works on the caller's project directory and its environments, and writes nothing there", async () => {
    const before = project.snapshot();
    const fake = fakeWorkspace();
    const results = await runAll("deploy", { env: "qa", workDir: project.dir, adapter: fake.adapter });
    assert.deepEqual(results.map((r) => r.stack), ["ca-qa", "workload-qa"]);
    assert.deepEqual(fake.programs["workload-qa"], { role: "workload", caStack: "ca-qa" });
    assert.deepEqual(project.snapshot(), before, "no stack file written, no file added");
    await assert.rejects(runAll("deploy", { env: "staging", workDir: project.dir, adapter: fake.adapter }), (e: AutomationError) => e.code === "ENV_UNKNOWN" && /known: dev, qa/.test(e.message));
    await assert.rejects(runAll("deploy", { env: "qa", workDir: join(project.dir, "nowhere"), adapter: fake.adapter }), (e: AutomationError) => e.code === "WORKDIR_INVALID" && e.field === "workDir");
  });
});

import { strict as assert } from "node:assert";
import { runAll } from "../../automation";
import { checkPulumiCli } from "../../automation/local-workspace";
import { formatSummary, StackHandle, WorkspaceAdapter } from "../../automation/orchestrator";
import { AutomationError, explainEngineError, knownEnvironments, planRun, PULUMI_MISSING } from "../../automation/plan";

const CA_OUTPUTS = { rootCaCertPem: "r", issuingCaCertPem: "i", trustBundlePem: "b", issuerFunctionArn: "arn", caBucketName: "bucket" };

/** A workspace that records what was asked of each stack and fails where told. */
function fakeWorkspace(options: { failOn?: string; caOutputs?: Record<string, unknown>; secretOutput?: string } = {}) {
  const calls: string[] = [];
  const config: Record<string, Record<string, string>> = {};
  const adapter: WorkspaceAdapter = {
    checkCli: async () => void calls.push("checkCli"),
    openStack: async (step): Promise<StackHandle> => ({
      fullyQualifiedName: `acme/edge-mtls/${step.stack}`,
      setConfig: async (c) => void (config[step.stack] = { ...c }),
      run: async (operation, opts) => {
        calls.push(`${operation} ${step.stack} packs=${opts.policyPacks.length}`);
        opts.onOutput(`Updating (${step.stack})`);
        if (options.failOn === step.stack) throw new Error("error: update failed\n  aws:kms:Key root-key: AccessDeniedException");
        return { changes: { create: 3, same: 1 } };
      },
      outputs: async () =>
        step.role === "ca"
          ? Object.fromEntries(Object.entries(options.caOutputs ?? CA_OUTPUTS).map(([k, v]) => [k, { value: v, secret: false }]))
          : { edgeUrl: { value: "https://www.example.com", secret: false }, ...(options.secretOutput ? { token: { value: options.secretOutput, secret: true } } : {}) },
    }),
  };
  return { adapter, calls, config };
}

describe("automation: the plan (pure)", () => {
  const base = { env: "dev", knownEnvs: ["dev", "prod"], policyPackPath: "/repo/policies" };

  it("deploys and previews the CA stack before the workload stack, with the policy pack", () => {
    for (const action of ["deploy", "preview"] as const) {
      const steps = planRun({ ...base, action });
      assert.deepEqual(steps.map((s) => [s.stack, s.role, s.needsCaStack, s.policyPacks]), [["ca-dev", "ca", false, ["/repo/policies"]], ["workload-dev", "workload", true, ["/repo/policies"]]]);
    }
  });

  it("destroys in reverse, and refuses the protected prod CA without --force", () => {
    assert.deepEqual(planRun({ ...base, action: "destroy" }).map((s) => s.stack), ["workload-dev", "ca-dev"]);
    assert.throws(() => planRun({ ...base, env: "prod", action: "destroy" }), /refusing to destroy the protected prod CA .* add --force/);
    assert.deepEqual(planRun({ ...base, env: "prod", action: "destroy", force: true }).map((s) => s.stack), ["workload-prod", "ca-prod"]);
  });

  it("knows environments from the committed stack files, and refuses others by name", () => {
    assert.deepEqual(knownEnvironments(["Pulumi.yaml", "Pulumi.ca-dev.yaml", "Pulumi.workload-dev.yaml", "Pulumi.ca-qa.yaml"]), ["dev"]);
    assert.throws(() => planRun({ ...base, env: "qa", action: "deploy" }), (e: Error) => e instanceof AutomationError && /unknown env qa: there is no Pulumi.ca-qa.yaml and Pulumi.workload-qa.yaml; known: dev, prod/.test(e.message));
    assert.throws(() => planRun({ ...base, env: "Dev!", action: "deploy" }), /--env must be 1-20 lower-case/);
  });

  it("passes each account's AWS profile to its stack", () => {
    const steps = planRun({ ...base, action: "deploy", caProfile: "ca-admin", workloadProfile: "workload-admin" });
    assert.deepEqual(steps.map((s) => s.awsProfile), ["ca-admin", "workload-admin"]);
  });

  it("explains the engine errors people hit", () => {
    assert.match(explainEngineError("ca-dev", "error: no valid credential sources for AWS Provider found")!, /no usable AWS credentials for ca-dev: .*--ca-profile/);
    assert.match(explainEngineError("workload-dev", "NoCredentialProviders: no valid providers in chain")!, /--workload-profile/);
    assert.equal(explainEngineError("ca-dev", "error: something else"), undefined);
  });

  it("reports a missing Pulumi CLI with how to install it", () => {
    assert.throws(() => checkPulumiCli({ PATH: "/nonexistent" }), (e: Error) => e.message === PULUMI_MISSING);
  });
});

describe("automation: the orchestrator (through a fake workspace)", () => {
  const run = (action: "deploy" | "preview" | "destroy" | "outputs", adapter: WorkspaceAdapter, extra: object = {}) => runAll(action, { env: "dev", adapter, ...extra });

  it("deploys in order and hands the CA stack's name to the workload stack", async () => {
    const fake = fakeWorkspace();
    const lines: string[] = [];
    const results = await run("deploy", fake.adapter, { onOutput: (stack: string, line: string) => lines.push(`${stack}: ${line}`) });
    assert.deepEqual(fake.calls, ["checkCli", "up ca-dev packs=1", "up workload-dev packs=1"]);
    assert.deepEqual(fake.config["workload-dev"], { "edge-mtls:role": "workload", "edge-mtls:caStack": "acme/edge-mtls/ca-dev" });
    assert.deepEqual(results.map((r) => [r.stack, r.result, r.changes]), [["ca-dev", "succeeded", { create: 3, same: 1 }], ["workload-dev", "succeeded", { create: 3, same: 1 }]]);
    assert.deepEqual(lines, ["ca-dev: Updating (ca-dev)", "workload-dev: Updating (workload-dev)"]);
    assert.match(formatSummary(results), /ca-dev\s+up\s+succeeded\s+create 3, same 1/);
  });

  it("stops when the CA stack fails: the workload stack is not touched", async () => {
    const fake = fakeWorkspace({ failOn: "ca-dev" });
    const results = await run("deploy", fake.adapter);
    assert.deepEqual(fake.calls, ["checkCli", "up ca-dev packs=1"]);
    assert.deepEqual(results.map((r) => r.result), ["failed", "skipped"]);
    assert.match(results[0]!.error!, /up failed: .*AccessDeniedException/);
  });

  it("stops when the CA stack lacks the outputs the workload stack reads", async () => {
    const fake = fakeWorkspace({ caOutputs: { rootCaCertPem: "r" } });
    const results = await run("deploy", fake.adapter);
    assert.deepEqual(results.map((r) => r.result), ["failed", "skipped"]);
    assert.match(results[0]!.error!, /has no issuingCaCertPem, trustBundlePem, issuerFunctionArn, caBucketName output\(s\); the workload stack is not touched/);
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
});

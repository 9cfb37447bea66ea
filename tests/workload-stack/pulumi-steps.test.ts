import { strict as assert } from "node:assert";
import type { RecordedResource } from "../support/pulumi-mocks";
import { plannedSteps, stepOf } from "../support/pulumi-steps";

const INVOCATION = "aws:lambda/invocation:Invocation";
const ACM = "aws:acm/certificate:Certificate";
const resource = (type: string, inputs: Record<string, unknown>, options: Partial<RecordedResource> = {}): RecordedResource => ({ type, name: "r", inputs, ...options });
const step = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, options: Partial<RecordedResource> = {}) =>
  stepOf(plannedSteps([resource(type, before, options)], [resource(type, after, options)]), type, "r");

describe("tests/support/pulumi-steps: the diff model follows the provider's ForceNew facts (terraform-provider-aws invocation.go, certificate.go)", () => {
  const invocation = { functionName: "f", input: '{"a":1}', triggers: { t: "1" } };

  it("aws.lambda.Invocation: a changed input replaces it under the default CREATE_ONLY scope (customizeDiffInputChangeWithCreateOnlyScope)", () => {
    assert.deepEqual(step(INVOCATION, invocation, { ...invocation, input: '{"a":2}' }), { op: "replace", changed: ["input"], because: ["input"] });
    assert.deepEqual(step(INVOCATION, { ...invocation, lifecycleScope: "CREATE_ONLY" }, { ...invocation, lifecycleScope: "CREATE_ONLY", input: '{"a":2}' }).op, "replace");
  });

  it("aws.lambda.Invocation: under lifecycleScope CRUD a changed input is an update (the function is invoked with action update), not a replacement", () => {
    assert.deepEqual(step(INVOCATION, { ...invocation, lifecycleScope: "CRUD" }, { ...invocation, lifecycleScope: "CRUD", input: '{"a":2}' }), { op: "update", changed: ["input"] });
  });

  it("aws.lambda.Invocation: triggers, functionName and qualifier are ForceNew in either scope; an ignored trigger keeps its old value (no step)", () => {
    for (const scope of ["CREATE_ONLY", "CRUD"]) {
      for (const change of [{ triggers: { t: "2" } }, { functionName: "g" }, { qualifier: "2" }]) {
        assert.equal(step(INVOCATION, { ...invocation, lifecycleScope: scope }, { ...invocation, lifecycleScope: scope, ...change }).op, "replace", `${scope} ${JSON.stringify(change)}`);
      }
    }
    assert.deepEqual(step(INVOCATION, invocation, { ...invocation, triggers: { t: "2" } }, { ignoreChanges: ["triggers"] }), { op: "same" });
  });

  it("aws.acm.Certificate: body, chain and key are re-imported in place; keyAlgorithm and domainName are ForceNew; replaceOnChanges adds its own", () => {
    const imported = { certificateBody: "b1", certificateChain: "c1", privateKey: "k1" };
    assert.deepEqual(step(ACM, imported, { ...imported, certificateBody: "b2", certificateChain: "c2" }), { op: "update", changed: ["certificateBody", "certificateChain"] });
    assert.equal(step(ACM, imported, { ...imported, privateKey: "k2" }).op, "update");
    assert.equal(step(ACM, imported, { ...imported, privateKey: "k2" }, { replaceOnChanges: ["privateKey"] }).op, "replace");
    assert.equal(step(ACM, { domainName: "a.example.com", validationMethod: "DNS" }, { domainName: "b.example.com", validationMethod: "DNS" }).op, "replace");
    assert.equal(step(ACM, { domainName: "a.example.com", keyAlgorithm: "RSA_2048" }, { domainName: "a.example.com", keyAlgorithm: "EC_prime256v1" }).op, "replace");
  });
});

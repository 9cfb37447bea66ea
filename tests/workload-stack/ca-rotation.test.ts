import { strict as assert } from "node:assert";
import { ROTATION_OPTIONS } from "../../components/origin-client-certificate";
import { readRenewerConfig } from "../../functions/origin-cert-renewer";
import { caFingerprints, trustBundleDigest } from "../../pki/origin-client-certificate";
import type { RecordedResource } from "../support/pulumi-mocks";
import { changedResources, plannedSteps, stepOf } from "../support/pulumi-steps";
import { put, tempDir, tool } from "../support/tools";
import { runWorkload, TestCa, testCa } from "../support/workload-program";

const CONFIG = { "edge-mtls:edgeCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/edge", "edge-mtls:apiCertificateArn": "arn:aws:acm:eu-west-2:111111111111:certificate/api" };
const INVOCATION = "aws:lambda/invocation:Invocation";
const ACM = "aws:acm/certificate:Certificate";

const find = (resources: readonly RecordedResource[], type: string, name: string) => resources.find((r) => r.type === type && r.name === name)!;
const issued = (resources: readonly RecordedResource[]) => find(resources, ACM, "origin-client-acm").inputs as { certificateBody: string; certificateChain: string; privateKey: string };
const idempotencyKeyOf = (resources: readonly RecordedResource[]) => JSON.parse(find(resources, INVOCATION, "origin-client-issue").inputs.input).idempotencyKey as string;

describe("workload-stack: a new CA trust bundle re-issues the origin client certificate on `pulumi up` (under mocks)", function () {
  this.timeout(180_000);
  const work = tempDir();
  const now = new Date();
  let caA: TestCa;
  let caB: TestCa;
  let first: RecordedResource[];
  let again: RecordedResource[];
  let rotated: RecordedResource[];

  const run = async (ca: TestCa) => (await runWorkload(ca, CONFIG, { now: () => now })).resources.map((r) => ({ ...r }));
  /** `openssl verify` (not our parser) of an imported certificate against a CA bundle, as API Gateway's truststore would hold it. */
  const verifyAgainst = (certificate: { certificateBody: string; certificateChain: string }, bundlePem: string, name: string) =>
    tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", put(work.dir, `${name}-bundle.pem`, bundlePem), "-untrusted", put(work.dir, `${name}-chain.pem`, certificate.certificateChain), put(work.dir, `${name}-leaf.pem`, certificate.certificateBody)]);

  before(async () => {
    caA = await testCa();
    first = await run(caA);
    again = await run(caA);
    // The CA stack re-created (or its CA rotated): another root and issuing CA, another bundle.
    caB = await testCa();
    rotated = await run(caB);
  });
  after(work.cleanup);

  it("the same bundle: a second `pulumi up` plans no change at all (no re-issue, no re-import)", () => {
    const steps = plannedSteps(first, again);
    assert.deepEqual(changedResources(steps), []);
    assert.equal(issued(again).certificateBody, issued(first).certificateBody, "ca-issuer replayed the same certificate for the same idempotency key");
  });

  it("a new bundle: the issuing invocation is replaced (run again) because its trigger, the bundle's digest, changed", () => {
    const step = stepOf(plannedSteps(first, rotated), INVOCATION, "origin-client-issue");
    assert.equal(step.op, "replace");
    assert.ok(step.op === "replace" && step.because.includes("triggers"), JSON.stringify(step));
    assert.deepEqual(find(first, INVOCATION, "origin-client-issue").inputs.triggers, { [ROTATION_OPTIONS.issue.trigger]: trustBundleDigest(caA.bootstrap.trustBundlePem) });
    assert.deepEqual(find(rotated, INVOCATION, "origin-client-issue").inputs.triggers, { [ROTATION_OPTIONS.issue.trigger]: trustBundleDigest(caB.bootstrap.trustBundlePem) });
    assert.equal(find(rotated, INVOCATION, "origin-client-issue").ignoreChanges, undefined, "an ignored input or trigger would keep the old value and never run again");
  });

  it("a new bundle asks the CA with a new idempotency key (an issuing CA rotated in the same CA stack would otherwise replay the old CA's certificate)", () => {
    const [a, b] = [idempotencyKeyOf(first), idempotencyKeyOf(rotated)];
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^workload-dev\\.origin-client\\.b${trustBundleDigest(caA.bootstrap.trustBundlePem).slice(0, 16)}\\.`));
    assert.match(b, new RegExp(`^workload-dev\\.origin-client\\.b${trustBundleDigest(caB.bootstrap.trustBundlePem).slice(0, 16)}\\.`));
  });

  it("the ACM certificate is updated in place (re-imported under the same ARN), with the same key; the distribution keeps its origin certificate ARN", () => {
    const steps = plannedSteps(first, rotated);
    assert.deepEqual(stepOf(steps, ACM, "origin-client-acm"), { op: "update", changed: ["certificateBody", "certificateChain"] });
    assert.equal(issued(rotated).privateKey, issued(first).privateKey);
    assert.equal(stepOf(steps, "tls:index/privateKey:PrivateKey", "origin-client-key").op, "same");
    // The mocks derive an ARN from the logical name, so equal ARNs across runs prove nothing here:
    // the ARN is kept because the step is an update (the provider re-imports with CertificateArn),
    // and the distribution keeps it because it references the certificate's ARN, checked below.
    const arn = (resources: readonly RecordedResource[]) => find(resources, ACM, "origin-client-acm").outputs!.arn;
    const originCertificateArns = (resources: readonly RecordedResource[]) =>
      find(resources, "aws:cloudfront/distribution:Distribution", "edge-distribution").inputs.origins.map((o: { customOriginConfig?: { originMtlsConfig?: { clientCertificateArn: string } } }) => o.customOriginConfig?.originMtlsConfig?.clientCertificateArn).filter(Boolean);
    assert.deepEqual(originCertificateArns(rotated), originCertificateArns(first));
    assert.deepEqual(originCertificateArns(rotated), [arn(first)]);
  });

  it("openssl: the re-issued certificate chains to the new bundle B (and not to A); the one it replaces does not chain to B", () => {
    const fresh = verifyAgainst(issued(rotated), caB.bootstrap.trustBundlePem, "b-on-b");
    assert.equal(fresh.status, 0, fresh.output);
    assert.notEqual(verifyAgainst(issued(rotated), caA.bootstrap.trustBundlePem, "b-on-a").status, 0);
    const stale = verifyAgainst(issued(first), caB.bootstrap.trustBundlePem, "a-on-b");
    assert.notEqual(stale.status, 0, "the certificate from A must fail against B: that is the outage this prevents");
    assert.equal(issued(rotated).certificateChain, caB.bootstrap.issuingCaCertPem + caB.bootstrap.rootCaCertPem);
  });

  it("the renewal function is reconfigured with B's fingerprints in the same update", () => {
    const env = (resources: readonly RecordedResource[]) => readRenewerConfig(find(resources, "aws:lambda/function:Function", "origin-renewer").inputs.environment.variables);
    assert.deepEqual(env(first).trustedCaSha256, caFingerprints(caA.bootstrap.trustBundlePem));
    assert.deepEqual(env(rotated).trustedCaSha256, caFingerprints(caB.bootstrap.trustBundlePem));
    assert.equal(env(rotated).certificateArn, env(first).certificateArn);
  });

  it("a new key (another keyAlgorithm) replaces the ACM certificate instead: ACM cannot re-import another key type", async () => {
    assert.deepEqual(find(first, ACM, "origin-client-acm").replaceOnChanges, [...ROTATION_OPTIONS.certificate.replaceOnChanges]);
    const rsa = (await runWorkload(caB, { ...CONFIG, "edge-mtls:originCertificate": JSON.stringify({ keyAlgorithm: "RSA" }) }, { now: () => now })).resources.map((r) => ({ ...r }));
    const step = stepOf(plannedSteps(rotated, rsa), ACM, "origin-client-acm");
    assert.equal(step.op, "replace");
    assert.ok(step.op === "replace" && step.because.includes("privateKey"), JSON.stringify(step));
  });
});

import { strict as assert } from "node:assert";
import { isDeepStrictEqual } from "node:util";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import * as pulumi from "@pulumi/pulumi";
import { handle as caIssuer } from "../../functions/ca-issuer";
import { AcmApiCertificate, handle as renew, lambdaIssuer, readRenewerConfig } from "../../functions/origin-cert-renewer";
import { jsonLogger } from "../../functions/shared/log";
import { generatePrivateKey } from "../../pki/local-signer";
import { caFingerprints } from "../../pki/origin-client-certificate";
import { memoryAcm } from "../support/acm-memory";
import { named, ofType, RecordedResource } from "../support/pulumi-mocks";
import { ISSUER_ARN, runWorkload, TestCa, testCa } from "../support/workload-program";

const DAY = 86400_000;
const TOPIC = "arn:aws:sns:eu-west-2:111111111111:workload-alarms";
const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value]) as string[];

const CONFIG = { "edge-mtls:edgeCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/edge", "edge-mtls:apiCertificateArn": "arn:aws:acm:eu-west-2:111111111111:certificate/api", "edge-mtls:alarmTopicArn": TOPIC };

/** Runs the workload program through the offline deployment at `now`; returns what it declared. */
async function runProgram(ca: TestCa, now: Date): Promise<RecordedResource[]> {
  return (await runWorkload(ca, CONFIG, { now: () => now })).resources.map((r) => ({ ...r }));
}

describe("workload-stack: the origin certificate renews itself (under mocks)", function () {
  this.timeout(120_000);
  let ca: TestCa;
  let first: RecordedResource[];
  const start = new Date();

  before(async () => {
    ca = await testCa();
    first = await runProgram(ca, start);
  });

  const renewer = () => named("origin-renewer").inputs;

  it("deploys edge-mtls-<env>-origin-cert-renewer with a role of the same name, the certificate's ARN, this CA's fingerprints and the first import's idempotency series", () => {
    const fn = renewer();
    assert.equal(fn.name, "edge-mtls-dev-origin-cert-renewer");
    assert.ok(fn.name.length <= 64, "Lambda function names are at most 64 characters");
    assert.deepEqual([fn.runtime, fn.architectures, fn.timeout], ["nodejs22.x", ["arm64"], 120]);
    const role = named("origin-renewer-role").inputs;
    assert.equal(role.name, "edge-mtls-dev-origin-cert-renewer");
    assert.deepEqual(JSON.parse(role.assumeRolePolicy).Statement[0].Principal, { Service: "lambda.amazonaws.com" });
    const env = readRenewerConfig(fn.environment.variables);
    assert.equal(env.certificateArn, "arn:aws:acm:us-east-1:111111111111:certificate/origin-client-acm-id");
    assert.equal(env.issuerFunction, ISSUER_ARN);
    assert.deepEqual(env.trustedCaSha256, caFingerprints(ca.bootstrap.trustBundlePem));
    assert.deepEqual([env.lifetimeDays, env.renewBeforeDays, env.subject], [90, 30, { commonName: "CloudFront", organizationalUnit: "CloudFront" }]);
    assert.deepEqual(env.idempotencyScope, { project: "edge-mtls", stack: pulumi.getStack(), component: "origin-client" });
    assert.deepEqual(env.smokeTest, { edgeUrl: "https://www.example.com", apiUrl: "https://api.example.com" }, "checks after renewal follow verifyAfterDeploy (on outside prod)");
  });

  it("may only read and re-import that one certificate and invoke that one ca-issuer (parsed policy: exact actions, exact ARNs)", () => {
    const policy = JSON.parse(named("origin-renewer-policy").inputs.policy);
    const shape = policy.Statement.map((s: { Sid: string; Effect: string; Action: unknown; Resource: unknown }) => [s.Sid, s.Effect, asList(s.Action), asList(s.Resource)]);
    assert.deepEqual(shape, [
      ["WriteOwnLogs", "Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:aws:logs:eu-west-2:111111111111:log-group:/aws/lambda/edge-mtls-dev-origin-cert-renewer:*"]],
      ["ReimportOriginCertificate", "Allow", ["acm:GetCertificate", "acm:ImportCertificate"], ["arn:aws:acm:us-east-1:111111111111:certificate/origin-client-acm-id"]],
      ["InvokeCaIssuer", "Allow", ["lambda:InvokeFunction"], [ISSUER_ARN]],
    ]);
  });

  it("runs every 12 hours through a scheduler role that may invoke only it; a failed run is not retried at once", () => {
    const schedule = named("origin-renewer-renewal-schedule").inputs;
    assert.equal(schedule.scheduleExpression, "rate(12 hours)");
    assert.match(schedule.target.arn, /function:edge-mtls-dev-origin-cert-renewer$/);
    const policy = JSON.parse(named("origin-renewer-scheduler-policy").inputs.policy);
    assert.deepEqual(asList(policy.Statement[0].Resource), [schedule.target.arn]);
    assert.equal(named("origin-renewer-async").inputs.maximumRetryAttempts, 0);
  });

  it("alarms to the workload topic on a failed run and when fewer than 15 days remain or the metric stops", () => {
    const errors = named("origin-renewer-errors").inputs;
    assert.deepEqual([errors.metricName, errors.dimensions.FunctionName, errors.alarmActions], ["Errors", "edge-mtls-dev-origin-cert-renewer", [TOPIC]]);
    const expiry = named("origin-renewer-expiry").inputs;
    assert.deepEqual(
      [expiry.namespace, expiry.metricName, expiry.dimensions, expiry.statistic, expiry.threshold, expiry.comparisonOperator, expiry.treatMissingData, expiry.alarmActions],
      ["edge-mtls/workload", "OriginCertificateDaysToExpiry", { Certificate: "dev" }, "Minimum", 15, "LessThanThreshold", "breaching", [TOPIC]],
    );
    assert.ok(expiry.period * expiry.evaluationPeriods <= 7 * 86400, "PutMetricAlarm: period × evaluation periods at most 7 days");
  });

  it("Pulumi ignores nothing it would have to undo: the provider never reads an imported certificate's body, chain or key back, so only a new issuance re-imports", () => {
    // aws_acm_certificate's Read sets neither certificate_body, certificate_chain nor private_key
    // (hashicorp/terraform-provider-aws internal/service/acm/certificate.go): a renewal in AWS is
    // not drift, and ignoreChanges would stop the re-import a new CA bundle needs.
    assert.equal(named("origin-client-acm").ignoreChanges, undefined);
    assert.deepEqual(named("origin-client-acm").replaceOnChanges, ["privateKey"]);
    assert.equal(named("origin-client-issue").ignoreChanges, undefined);
    assert.deepEqual(Object.keys(named("origin-client-issue").inputs.triggers), ["trustBundleSha256"], "keyed on the CA bundle only: no renewal window to re-trigger it");
  });

  it("a second `pulumi up` 200 days later, after the renewer re-imported, declares the same inputs (only the daily smoke test differs)", async () => {
    // The renewer, configured exactly as the program declared it, renews the imported certificate.
    const acmInputs = named("origin-client-acm").inputs;
    const config = readRenewerConfig(renewer().environment.variables);
    const later = new Date(start.getTime() + 3600_000);
    const acm = memoryAcm(() => later);
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).callsFake(async (input) => {
      const answer = await caIssuer(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()), { ...ca.issuerDeps, clock: () => later });
      return { Payload: new Uint8Array(Buffer.from(JSON.stringify(answer))) };
    });
    try {
      const client = new ACMClient({ region: "us-east-1" });
      await client.send(new ImportCertificateCommand({ Certificate: Buffer.from(acmInputs.certificateBody), CertificateChain: Buffer.from(acmInputs.certificateChain), PrivateKey: Buffer.from(acmInputs.privateKey) }));
      const result = await renew({ force: true }, {
        config: { ...config, certificateArn: acm.imports[0]!, smokeTest: undefined },
        acm: new AcmApiCertificate(client),
        issue: lambdaIssuer(new LambdaClient({ region: "eu-west-2" }), config.issuerFunction),
        generateKey: generatePrivateKey,
        runChecks: async () => [],
        clock: () => later,
        log: jsonLogger(() => undefined),
      });
      assert.equal(result.renewed, true);
      assert.notEqual(acm.certificates.get(acm.imports[0]!)!.certificatePem, acmInputs.certificateBody, "AWS now holds another certificate than the program's first import");
    } finally {
      acm.restore();
      lambda.restore();
    }

    const second = await runProgram(ca, new Date(start.getTime() + 200 * DAY));
    const key = (r: RecordedResource) => `${r.type}::${r.name}`;
    const before = new Map(first.map((r) => [key(r), r]));
    assert.deepEqual(second.map(key).sort(), [...before.keys()].sort(), "the same resources");
    const changed = second.filter((r) => !isDeepStrictEqual(r.inputs, before.get(key(r))!.inputs) || !isDeepStrictEqual(r.ignoreChanges, before.get(key(r))!.ignoreChanges)).map((r) => r.name);
    // The smoke test re-runs daily by design (a one-day certificate, `d<day>` trigger); nothing else moves.
    assert.deepEqual(changed.sort(), ["smoke-test-issue", "smoke-test-verify"]);
    assert.equal(ofType("aws:acm/certificate:Certificate").find((r) => r.name === "origin-client-acm")!.inputs.certificateBody, before.get("aws:acm/certificate:Certificate::origin-client-acm")!.inputs.certificateBody);
  });
});

import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { handle as caAdmin, BootstrapResult } from "../../functions/ca-admin";
import { handle as caIssuer } from "../../functions/ca-issuer";
import { AcmApiCertificate, handle, lambdaIssuer, readRenewerConfig, RenewalError, RenewalResult, RenewerConfig, RenewerDeps, RENEWER_ENV } from "../../functions/origin-cert-renewer";
import { daysUntil, describeCurrent, renewalDecision, untrustedChainReason } from "../../functions/origin-cert-renewer/renewal";
import type { CaDeps } from "../../functions/shared/ca-service";
import { jsonLogger } from "../../functions/shared/log";
import { memoryCaDeps } from "../../offline/memory-ca";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey, privateKeyToPem } from "../../pki/local-signer";
import { caFingerprints } from "../../pki/origin-client-certificate";
import type { CheckResult } from "../../rehearsal/checks";
import { memoryAcm } from "../support/acm-memory";
import { TEST_CA_ENV } from "../support/ca-deps";
import { makeTestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

const DAY = 86400_000;
const T0 = new Date("2027-03-01T12:00:00Z");
const SUBJECT = { commonName: "CloudFront", organizationalUnit: "CloudFront" };

/**
 * A deployed origin certificate and its renewer: the real ca-issuer (in-memory CA) behind a mocked
 * Lambda client, a fake ACM behind a mocked ACM client, a settable clock, captured log lines.
 */
async function renewalWorld(options: { lifetimeDays?: number; renewBeforeDays?: number; initialKey?: "ecdsa-p256" | "rsa-2048"; smokeTest?: boolean } = {}) {
  let now = new Date(T0.getTime() - DAY);
  const clock = () => now;
  const ca = memoryCaDeps(TEST_CA_ENV);
  const issuerDeps: CaDeps = { ...ca.worker, clock };
  const bootstrap = (await caAdmin({ action: "bootstrap" }, { ...ca.admin, clock })) as BootstrapResult;
  const fakeAcm = memoryAcm(clock);
  const lambda = mockClient(LambdaClient);
  const issued: Record<string, unknown>[] = [];
  lambda.on(InvokeCommand).callsFake(async (input) => {
    const request = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8"));
    issued.push(request);
    return { StatusCode: 200, Payload: new Uint8Array(Buffer.from(JSON.stringify(await caIssuer(request, issuerDeps, "mock")))) };
  });
  // The first import, as the Pulumi program makes it.
  now = T0;
  const firstKey = generatePrivateKey(options.initialKey ?? "ecdsa-p256");
  const first = (await caIssuer({ csrPem: createCsr(firstKey, SUBJECT), purposes: ["client_auth"], lifetimeDays: options.lifetimeDays ?? 10 }, issuerDeps)) as { certificatePem: string; chainPem: string; serialNumber: string };
  const acmClient = new ACMClient({ region: "us-east-1" });
  const { CertificateArn: arn } = await acmClient.send(new ImportCertificateCommand({ Certificate: Buffer.from(first.certificatePem), CertificateChain: Buffer.from(first.chainPem), PrivateKey: Buffer.from(privateKeyToPem(firstKey)) }));
  const logs: string[] = [];
  const checkRuns: { user: { certPem: string; keyPem: string } }[] = [];
  let checksPass = true;
  const config: RenewerConfig = {
    certificateArn: arn!,
    issuerFunction: "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer",
    trustedCaSha256: caFingerprints(bootstrap.trustBundlePem),
    lifetimeDays: options.lifetimeDays ?? 10,
    renewBeforeDays: options.renewBeforeDays ?? 3,
    subject: SUBJECT,
    idempotencyScope: { project: "edge-mtls", stack: "workload-dev", component: "origin-client" },
    metricDimension: "dev",
    ...(options.smokeTest ? { smokeTest: { edgeUrl: "https://www.example.com", apiUrl: "https://api.example.com" } } : {}),
  };
  const deps: RenewerDeps = {
    config,
    acm: new AcmApiCertificate(acmClient),
    issue: lambdaIssuer(new LambdaClient({ region: "eu-west-2" }), config.issuerFunction),
    generateKey: generatePrivateKey,
    runChecks: async (target): Promise<CheckResult[]> => {
      checkRuns.push(target);
      return [{ name: "user certificate, POST /api", expected: "HTTP 200", observed: checksPass ? "HTTP 200" : "HTTP 502", pass: checksPass }];
    },
    clock,
    log: jsonLogger((line) => logs.push(line)),
  };
  return {
    ca,
    bootstrap,
    fakeAcm,
    arn: arn!,
    first,
    deps,
    logs,
    issued,
    checkRuns,
    setNow: (date: Date) => void (now = date),
    failChecks: () => void (checksPass = false),
    metrics: () => logs.map((l) => JSON.parse(l)).filter((l) => l._aws && "OriginCertificateDaysToExpiry" in l).map((l) => l.OriginCertificateDaysToExpiry as number),
    renewals: () => logs.map((l) => JSON.parse(l)).filter((l) => l._aws && "OriginCertificateRenewals" in l).map((l) => ({ reason: l.Reason as string, value: l.OriginCertificateRenewals as number, dimensions: l._aws.CloudWatchMetrics[0].Dimensions[0] as string[] })),
    events: (event: string) => logs.map((l) => JSON.parse(l)).filter((l) => l.event === event),
    served: () => fakeAcm.certificates.get(arn!)!,
    cleanup: () => {
      fakeAcm.restore();
      lambda.restore();
    },
  };
}

describe("functions: origin-cert-renewer (pure decisions)", () => {
  const current = { serialHex: "ab", notAfter: new Date(T0.getTime() + 10 * DAY), keyAlgorithm: "ecdsa-p256" as const, chainSha256: ["i", "r"], chainBreaks: [] as string[] };
  const options = { renewBeforeDays: 3, force: false, trustedCaSha256: ["i", "r"] };

  it("renews when fewer than renewBeforeDays remain, when forced, and when the chain is not the trusted CA's", () => {
    assert.equal(renewalDecision(current, new Date(T0.getTime() + 6.9 * DAY), options), "not-due");
    assert.equal(renewalDecision(current, new Date(T0.getTime() + 7.01 * DAY), options), "due");
    assert.equal(renewalDecision(current, new Date(T0.getTime() + 11 * DAY), options), "due", "an expired certificate is renewed too");
    assert.equal(renewalDecision(current, T0, { ...options, force: true }), "forced");
    assert.equal(renewalDecision({ ...current, chainSha256: ["x", "r"] }, T0, options), "other-ca");
    assert.equal(renewalDecision({ ...current, chainSha256: [] }, T0, options), "other-ca");
    assert.equal(renewalDecision({ ...current, chainBreaks: ["certificate 2 (CN=Issuing) did not sign certificate 1 (CN=CloudFront)"] }, T0, options), "other-ca", "trusted certificates that did not sign it are no chain");
    assert.equal(untrustedChainReason(current, options.trustedCaSha256), undefined);
    assert.match(untrustedChainReason({ ...current, chainSha256: ["x", "r"] }, options.trustedCaSha256)!, /^chain certificate 2 \(SHA-256 x\) is not in the trust bundle/);
    assert.match(untrustedChainReason({ ...current, chainSha256: [] }, options.trustedCaSha256)!, /no certificate chain/);
  });

  it("measures days until expiry to two decimals, negative once expired", () => {
    assert.equal(daysUntil(new Date(T0.getTime() + 1.5 * DAY), T0), 1.5);
    assert.equal(daysUntil(new Date(T0.getTime() - DAY / 4), T0), -0.25);
  });

  it("reads the current certificate's serial, expiry, key type and chain fingerprints from its PEMs; refuses key types CloudFront cannot use", async () => {
    const ca = await makeTestCa();
    const key = generatePrivateKey("ecdsa-p384");
    const { order } = (await import("../../pki/issuance-policy")).validateIssueRequest({ csrPem: createCsr(key, SUBJECT), purposes: ["client_auth"], lifetimeDays: 5 }, (await import("../../pki/issuance-policy")).DEFAULT_ISSUANCE_POLICY);
    const p384 = await ca.issuing.issueLeaf(order, T0);
    assert.throws(() => describeCurrent(p384.pem, ca.issuingPem + ca.rootPem), /ecdsa-p384 key; CloudFront origin mTLS needs ECDSA P-256 or RSA 2048/);
  });

  it("reads its configuration from the environment, naming the variable that is wrong", () => {
    const env: Record<string, string> = {
      [RENEWER_ENV.certificateArn]: "arn:aws:acm:us-east-1:222222222222:certificate/abc-123",
      [RENEWER_ENV.issuerFunction]: "arn:aws:lambda:eu-west-2:111111111111:function:edge-mtls-dev-ca-issuer",
      [RENEWER_ENV.trustedCaSha256]: `${"a".repeat(64)},${"b".repeat(64)}`,
      [RENEWER_ENV.lifetimeDays]: "90",
      [RENEWER_ENV.renewBeforeDays]: "30",
      [RENEWER_ENV.subject]: JSON.stringify(SUBJECT),
      [RENEWER_ENV.idempotencyScope]: JSON.stringify({ project: "edge-mtls", stack: "workload-dev", component: "origin-client" }),
      [RENEWER_ENV.metricDimension]: "dev",
    };
    const config = readRenewerConfig(env);
    assert.deepEqual([config.lifetimeDays, config.renewBeforeDays, config.trustedCaSha256.length, config.smokeTest], [90, 30, 2, undefined]);
    assert.deepEqual(readRenewerConfig({ ...env, [RENEWER_ENV.edgeUrl]: "https://www.example.com", [RENEWER_ENV.apiUrl]: "https://api.example.com" }).smokeTest, { edgeUrl: "https://www.example.com", apiUrl: "https://api.example.com" });
    assert.throws(() => readRenewerConfig({ ...env, [RENEWER_ENV.certificateArn]: "arn:aws:acm:eu-west-2:222222222222:certificate/abc" }), /environment CERTIFICATE_ARN: must be an ACM certificate ARN in us-east-1/);
    assert.throws(() => readRenewerConfig({ ...env, [RENEWER_ENV.trustedCaSha256]: "abc" }), /environment TRUSTED_CA_SHA256: must be comma-separated SHA-256 fingerprints/);
    assert.throws(() => readRenewerConfig({ ...env, [RENEWER_ENV.renewBeforeDays]: "90" }), /environment RENEW_BEFORE_DAYS: must be less than LIFETIME_DAYS \(90\)/);
    assert.throws(() => readRenewerConfig({ ...env, [RENEWER_ENV.subject]: "{" }), /environment CERTIFICATE_SUBJECT: is not valid JSON/);
    const { [RENEWER_ENV.metricDimension]: _, ...missing } = env;
    assert.throws(() => readRenewerConfig(missing), /environment METRIC_DIMENSION: is not set/);
  });
});

describe("functions: origin-cert-renewer (real ca-issuer, ACM and Lambda clients mocked, fake clock)", function () {
  this.timeout(60_000);
  const work = tempDir();
  after(work.cleanup);

  it("renews a 10-day certificate 3 days before expiry: new key of the same type, same ARN, chain of this CA, clientAuth; the days metric follows", async () => {
    const world = await renewalWorld();
    try {
      world.setNow(new Date(T0.getTime() + 1 * DAY));
      const quiet = await handle({}, world.deps);
      assert.deepEqual([quiet.renewed, quiet.reason, quiet.serialNumber], [false, "not-due", world.first.serialNumber]);
      assert.equal(world.fakeAcm.imports.length, 1, "only the first import");
      assert.equal(world.issued.length, 0, "nothing asked of the CA");

      world.setNow(new Date(T0.getTime() + 7.5 * DAY));
      const renewed = await handle({}, world.deps);
      assert.deepEqual([renewed.renewed, renewed.reason, renewed.previousSerialNumber], [true, "due", world.first.serialNumber]);
      assert.notEqual(renewed.serialNumber, world.first.serialNumber);
      assert.deepEqual(world.fakeAcm.imports, [world.arn, world.arn], "re-imported under the same ARN");
      const served = world.served();
      assert.equal(new X509Certificate(served.certificatePem).serialNumber.toLowerCase().replace(/^0+/, ""), renewed.serialNumber);
      assert.ok(world.fakeAcm.keyMatches(world.arn), "ACM holds the new certificate's own key");
      assert.match(served.privateKeyPem, /BEGIN EC PRIVATE KEY/);
      assert.notEqual(served.privateKeyPem, privateKeyToPem(generatePrivateKey("ecdsa-p256")));
      // openssl, not our parser: the new certificate chains to the CA and is fit for TLS clients.
      const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-attime", String(Math.floor((T0.getTime() + 7.5 * DAY) / 1000)), "-CAfile", put(work.dir, "bundle.pem", world.bootstrap.trustBundlePem), "-untrusted", put(work.dir, "chain.pem", served.chainPem), put(work.dir, "leaf.pem", served.certificatePem)]);
      assert.equal(verify.status, 0, verify.output);
      assert.match(tool("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253"], { input: served.certificatePem }).stdout, /OU=CloudFront,CN=CloudFront/);
      assert.equal(new Date(renewed.notAfter).getTime() - (T0.getTime() + 7.5 * DAY), 10 * DAY - 0, "a full lifetime from the renewal");
      // The metric before the renewal (2.5 days) and after (10 days); one request to the CA.
      assert.deepEqual(world.metrics(), [9, 2.5, 10]);
      assert.equal(world.issued.length, 1);
      const request = world.issued[0] as { idempotencyKey: string; lifetimeDays: number };
      assert.match(request.idempotencyKey, new RegExp(`^workload-dev\\.origin-client\\.r${world.first.serialNumber}\\.[A-Za-z0-9_-]{43}$`));
      // The private key never leaves memory except to ACM: not in the logs, not in the result.
      for (const line of world.logs) assert.doesNotMatch(line, /PRIVATE KEY|MII|BEGIN/);
      assert.doesNotMatch(JSON.stringify(renewed), /PRIVATE|BEGIN/);

      world.setNow(new Date(T0.getTime() + 8 * DAY));
      assert.equal((await handle({}, world.deps)).renewed, false, "the renewed certificate is not renewed again");
    } finally {
      world.cleanup();
    }
  });

  it("keeps an RSA 2048 certificate RSA 2048 (ACM does not let a re-import change the key type), and renews at once when forced", async () => {
    const world = await renewalWorld({ initialKey: "rsa-2048" });
    try {
      world.setNow(new Date(T0.getTime() + 3600_000));
      const result = await handle({ force: true }, world.deps);
      assert.deepEqual([result.renewed, result.reason], [true, "forced"]);
      assert.match(world.served().privateKeyPem, /BEGIN RSA PRIVATE KEY/);
      assert.equal(new X509Certificate(world.served().certificatePem).publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    } finally {
      world.cleanup();
    }
  });

  it("a retried request within one run replays the same certificate: one new certificate in the inventory, not two", async () => {
    const world = await renewalWorld();
    try {
      const answers: string[] = [];
      const once = world.deps.issue;
      // As the SDK does after a timeout whose first attempt did reach ca-issuer: the same request twice.
      const deps: RenewerDeps = { ...world.deps, issue: async (request) => {
        const first = await once(request);
        const again = await once(request);
        answers.push(first.serialNumber!, again.serialNumber!);
        return again;
      } };
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      const result = await handle({}, deps);
      assert.deepEqual(answers, [result.serialNumber, result.serialNumber]);
      const records = await Promise.all(answers.map((serial) => world.ca.worker.store.getCertificate(serial)));
      assert.ok(records.every((r) => r?.serialHex === result.serialNumber));
    } finally {
      world.cleanup();
    }
  });

  /** A certificate for the renewer's subject from another CA ("Old"), valid 30 days from T0, and its key. */
  async function fromOldCa() {
    const other = await makeTestCa({ name: "Old", now: T0 });
    const key = generatePrivateKey("ecdsa-p256");
    const { validateIssueRequest, DEFAULT_ISSUANCE_POLICY } = await import("../../pki/issuance-policy");
    const { order } = validateIssueRequest({ csrPem: createCsr(key, SUBJECT), purposes: ["client_auth"], lifetimeDays: 30 }, DEFAULT_ISSUANCE_POLICY);
    return { other, key, leaf: await other.issuing.issueLeaf(order, T0) };
  }

  it("ACM holds a certificate from the old CA, far from due: renews at once, says why in its log and metric, and the new one chains to the configured bundle (openssl)", async () => {
    const world = await renewalWorld();
    try {
      const { other, key, leaf } = await fromOldCa();
      world.fakeAcm.certificates.set(world.arn, { certificatePem: leaf.pem, chainPem: other.issuingPem + other.rootPem, privateKeyPem: privateKeyToPem(key) });
      world.setNow(new Date(T0.getTime() + 3600_000));
      const result = await handle({}, world.deps);
      assert.ok(result.daysToExpiry > world.deps.config.renewBeforeDays, "renewed long before its renewBefore date");
      assert.deepEqual([result.renewed, result.reason, result.previousSerialNumber], [true, "other-ca", leaf.serialHex]);
      const [checked] = world.events("renewal.checked");
      assert.equal(checked.reason, "other-ca");
      assert.match(checked.untrustedChain, /certificate 2 \(SHA-256 [0-9a-f]{64}\) and certificate 3 \(SHA-256 [0-9a-f]{64}\) are not in the trust bundle/);
      const [untrusted] = world.events("renewal.untrusted-chain");
      assert.equal(untrusted.level, "error");
      assert.deepEqual([untrusted.serialNumber, untrusted.trustedCaSha256], [leaf.serialHex, world.deps.config.trustedCaSha256]);
      assert.deepEqual(untrusted.chainSha256, caFingerprints(other.issuingPem + other.rootPem));
      assert.deepEqual(world.renewals(), [{ reason: "other-ca", value: 1, dimensions: ["Certificate", "Reason"] }]);
      const served = world.served();
      const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-attime", String(Math.floor((T0.getTime() + 3600_000) / 1000)), "-CAfile", put(work.dir, "bundle-other-ca.pem", world.bootstrap.trustBundlePem), "-untrusted", put(work.dir, "chain-other-ca.pem", served.chainPem), put(work.dir, "leaf-other-ca.pem", served.certificatePem)]);
      assert.equal(verify.status, 0, verify.output);
      assert.ok(world.fakeAcm.keyMatches(world.arn));
      assert.equal((await handle({}, world.deps)).renewed, false, "and then leaves it alone until it is due");
    } finally {
      world.cleanup();
    }
  });

  it("renews at once a certificate whose chain lists the trusted CA's certificates but which that CA did not sign (the fingerprints alone would pass)", async () => {
    const world = await renewalWorld();
    try {
      const { key, leaf } = await fromOldCa();
      const trustedChain = world.bootstrap.issuingCaCertPem + world.bootstrap.rootCaCertPem;
      world.fakeAcm.certificates.set(world.arn, { certificatePem: leaf.pem, chainPem: trustedChain, privateKeyPem: privateKeyToPem(key) });
      const before = tool("openssl", ["verify", "-CAfile", put(work.dir, "bundle-mixed.pem", world.bootstrap.trustBundlePem), "-untrusted", put(work.dir, "chain-mixed.pem", trustedChain), put(work.dir, "leaf-mixed.pem", leaf.pem)]);
      assert.notEqual(before.status, 0, "openssl refuses it too");
      world.setNow(new Date(T0.getTime() + 3600_000));
      const result = await handle({}, world.deps);
      assert.deepEqual([result.renewed, result.reason], [true, "other-ca"]);
      assert.match(world.events("renewal.untrusted-chain")[0].why, /its chain does not verify: certificate 2 \(.*\) did not sign certificate 1/);
    } finally {
      world.cleanup();
    }
  });

  it("two overlapping runs (Lambda delivers an asynchronous event more than once, a manual force) both end well: ACM serves one renewed certificate of this CA with its own key", async () => {
    const world = await renewalWorld();
    try {
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      // Both runs have re-imported before either reads ACM back.
      let imported = 0;
      let bothImported: () => void = () => undefined;
      const barrier = new Promise<void>((resolve) => (bothImported = resolve));
      const acm = world.deps.acm;
      const overlapping: RenewerDeps = { ...world.deps, acm: { get: (arn) => acm.get(arn), reimport: async (arn, parts) => {
        await acm.reimport(arn, parts);
        if (++imported === 2) bothImported();
        await barrier;
      } } };
      const results = await Promise.all([handle({}, overlapping), handle({ force: true }, overlapping)]);
      assert.equal(world.fakeAcm.imports.length, 3, "the first import and one re-import per run");
      const served = new X509Certificate(world.served().certificatePem).serialNumber.toLowerCase().replace(/^0+/, "");
      assert.deepEqual(results.map((r) => [r.renewed, r.serialNumber]), [[true, served], [true, served]], "both report what ACM serves");
      assert.ok(world.fakeAcm.keyMatches(world.arn));
      assert.ok(caFingerprints(world.served().chainPem).every((fp) => world.deps.config.trustedCaSha256.includes(fp)));
      assert.equal(world.logs.filter((l) => JSON.parse(l).event === "renewal.superseded").length, 1, "the run whose import was overwritten says so");
    } finally {
      world.cleanup();
    }
  });

  it("renews a certificate that has already expired (the renewer was down): the metric goes negative first, ACM takes the new one", async () => {
    const world = await renewalWorld();
    try {
      world.setNow(new Date(T0.getTime() + 12 * DAY));
      const result = await handle({}, world.deps);
      assert.deepEqual([result.renewed, result.reason], [true, "due"]);
      assert.deepEqual(world.metrics(), [-2, 10]);
      assert.equal(world.fakeAcm.imports.length, 2);
      assert.ok(world.fakeAcm.keyMatches(world.arn));
    } finally {
      world.cleanup();
    }
  });

  it("when ACM cannot be read, fails the run before asking the CA for anything, and publishes no metric (the expiry alarm counts that as breaching)", async () => {
    const world = await renewalWorld();
    try {
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      const denied: RenewerDeps = { ...world.deps, acm: { ...world.deps.acm, get: async () => {
        throw Object.assign(new Error("User is not authorized to perform: acm:GetCertificate"), { name: "AccessDeniedException" });
      }, reimport: world.deps.acm.reimport.bind(world.deps.acm) } };
      await assert.rejects(handle({}, denied), /AccessDeniedException|not authorized to perform: acm:GetCertificate/);
      assert.equal(world.issued.length, 0, "nothing asked of the CA");
      assert.deepEqual(world.metrics(), []);
      assert.equal(world.fakeAcm.imports.length, 1);
    } finally {
      world.cleanup();
    }
  });

  it("when ca-issuer refuses, fails the run (the error alarm) and leaves the current certificate in place", async () => {
    const world = await renewalWorld();
    try {
      const deps: RenewerDeps = { ...world.deps, config: { ...world.deps.config, subject: { commonName: "Not Allowed", organizationalUnit: "CloudFront" } } };
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      await assert.rejects(handle({}, deps), (error: Error) => error instanceof RenewalError && /ca-issuer refused the certificate for Not Allowed: SUBJECT_CN_NOT_ALLOWED/.test(error.message));
      assert.equal(world.served().certificatePem, world.first.certificatePem);
      assert.equal(world.fakeAcm.imports.length, 1);
      assert.deepEqual(world.metrics(), [2], "the days metric is still published, so the expiry alarm sees the certificate age");
    } finally {
      world.cleanup();
    }
  });

  it("when ACM refuses the re-import, fails the run naming the certificate that stays, and ACM still serves it", async () => {
    const world = await renewalWorld();
    try {
      world.fakeAcm.failNextImport(Object.assign(new Error("The certificate field contains more than one certificate"), { name: "ValidationException" }));
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      await assert.rejects(handle({}, world.deps), new RegExp(`ACM refused to re-import .* \\(ValidationException: .*\\); the current certificate ${world.first.serialNumber} stays until`));
      assert.equal(world.served().certificatePem, world.first.certificatePem);
      assert.ok(world.logs.some((l) => JSON.parse(l).event === "renewal.import-failed"));
    } finally {
      world.cleanup();
    }
  });

  it("refuses, before importing, a certificate whose chain is not the trusted CA's or that expires no later than the current one", async () => {
    const world = await renewalWorld();
    try {
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      const other = await makeTestCa({ name: "Rogue", now: T0 });
      const rogue: RenewerDeps = { ...world.deps, issue: async (request) => {
        const { order } = (await import("../../pki/issuance-policy")).validateIssueRequest({ csrPem: request.csrPem, purposes: ["client_auth"], lifetimeDays: 10 }, (await import("../../pki/issuance-policy")).DEFAULT_ISSUANCE_POLICY);
        const leaf = await other.issuing.issueLeaf(order, new Date(T0.getTime() + 8 * DAY));
        return { certificatePem: leaf.pem, chainPem: other.issuingPem + other.rootPem, serialNumber: leaf.serialHex };
      } };
      await assert.rejects(handle({}, rogue), /unfit for CloudFront origin mTLS, so the current one stays: origin client chain: certificate 2 \(.*Rogue Issuing CA.*\) is not one of the CA's certificates/);
      const short: RenewerDeps = { ...world.deps, config: { ...world.deps.config, lifetimeDays: 1 } };
      await assert.rejects(handle({}, short), /expires .* no later than the current one .*; the current one stays/);
      assert.equal(world.served().certificatePem, world.first.certificatePem);
      assert.equal(world.fakeAcm.imports.length, 1);
    } finally {
      world.cleanup();
    }
  });

  it("with checks configured, runs the how-to's checks as a one-day smoke-test certificate after the import, and fails the run when one fails", async () => {
    const world = await renewalWorld({ smokeTest: true });
    try {
      world.setNow(new Date(T0.getTime() + 8 * DAY));
      const result: RenewalResult = await handle({}, world.deps);
      assert.match(result.checks!, /user certificate, POST \/api .*pass/);
      const identity = world.checkRuns[0]!.user;
      const smoke = new X509Certificate(identity.certPem);
      assert.match(smoke.subject, /CN=edge-mtls-smoke-test/);
      assert.equal(new Date(smoke.validTo).getTime() - new Date(smoke.validFrom).getTime(), DAY + 5 * 60_000, "one day (plus the 5-minute backdating)");
      assert.ok(smoke.checkPrivateKey((await import("node:crypto")).createPrivateKey(identity.keyPem)));

      world.failChecks();
      world.setNow(new Date(T0.getTime() + 17 * DAY));
      await assert.rejects(handle({}, world.deps), /is imported, but the checks against https:\/\/www\.example\.com failed:[\s\S]*FAIL/);
      assert.ok(world.logs.some((l) => JSON.parse(l).event === "renewal.checks-failed"));
    } finally {
      world.cleanup();
    }
  });
});

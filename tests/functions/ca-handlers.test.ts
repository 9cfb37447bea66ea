import { strict as assert } from "node:assert";
import { createHash, X509Certificate } from "node:crypto";
import { handle as admin, BootstrapResult } from "../../functions/ca-admin";
import { handle as crlHandle } from "../../functions/ca-crl";
import { handle as issuer, IssueResponse } from "../../functions/ca-issuer";
import { handle as revoker, RevokeResponse } from "../../functions/ca-revoker";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { ARTIFACT_KEYS, S3ArtifactStore } from "../../functions/shared/artifacts";
import { DynamoCaStore, INDEX_CATCH_UP_MS } from "../../functions/shared/ca-store";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { CaConfigError, readCaConfig } from "../../functions/shared/ca-config";
import { jsonLogger } from "../../functions/shared/log";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey } from "../../pki/local-signer";
import { toPem } from "../../pki/pem";
import { fakeCaWorld, TEST_CA_ENV } from "../support/ca-deps";
import { put, tempDir, tool } from "../support/tools";

const clientCsr = (commonName = "CloudFront", organizationalUnit = "CloudFront", key = generatePrivateKey("ecdsa-p256")) => createCsr(key, { commonName, organizationalUnit });
/** The scope of a certificate's idempotency record: SHA-256 of its public key (SPKI DER), base64url. */
const keyScope = (certificatePem: string) => createHash("sha256").update(new X509Certificate(certificatePem).publicKey.export({ format: "der", type: "spki" })).digest("base64url");

describe("functions: ca-admin, ca-issuer, ca-revoker, ca-crl end to end (KMS, DynamoDB, S3 in memory)", function () {
  this.timeout(60_000);
  const work = tempDir();
  let world: ReturnType<typeof fakeCaWorld>;
  let bootstrap: BootstrapResult;

  before(async () => {
    world = fakeCaWorld();
    bootstrap = (await admin({ action: "bootstrap" }, world.admin())) as BootstrapResult;
  });
  after(() => {
    world.cleanup();
    work.cleanup();
  });

  it("bootstrap creates root and issuing CA that openssl verifies, and publishes certificates, bundle and CRLs", () => {
    assert.equal(bootstrap.created, true);
    assert.equal(bootstrap.trustBundlePem, bootstrap.rootCaCertPem + bootstrap.issuingCaCertPem);
    assert.equal(bootstrap.trustBundleS3Uri, "s3://ca-bucket/ca-bundle.pem");
    assert.ok(bootstrap.trustBundleS3Version);
    const root = put(work.dir, "root.pem", bootstrap.rootCaCertPem);
    const issuing = put(work.dir, "issuing.pem", bootstrap.issuingCaCertPem);
    const verify = tool("openssl", ["verify", "-x509_strict", "-CAfile", root, issuing]);
    assert.equal(verify.status, 0, verify.output);
    assert.match(tool("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", issuing]).stdout, /CN=Cloud Issuing CA/);
    assert.equal(Buffer.from(world.s3.latest(ARTIFACT_KEYS.trustBundle)!).toString(), bootstrap.trustBundlePem);
    for (const [crlKey, caFile] of [[ARTIFACT_KEYS.rootCrl, root], [ARTIFACT_KEYS.issuingCrl, issuing]] as const) {
      const crl = put(work.dir, `${crlKey}.der`, world.s3.latest(crlKey)!);
      const text = tool("openssl", ["crl", "-inform", "DER", "-in", crl, "-CAfile", caFile, "-noout", "-text"]);
      assert.match(text.output, /verify OK/);
      assert.match(text.output, /X509v3 CRL Number: \s*\n\s*1\n/);
    }
    assert.equal(world.kms.signCalls.length, 4, "root cert, issuing cert, root CRL, issuing CRL: one Sign each");
  });

  it("a second bootstrap changes nothing: same certificates, no signature, no new object version", async () => {
    const signs = world.kms.signCalls.length;
    const puts = world.s3.putCount();
    const writes = world.dynamo.writes.length;
    const again = (await admin({}, world.admin())) as BootstrapResult;
    assert.equal(again.created, false);
    assert.equal(again.rootCaCertPem, bootstrap.rootCaCertPem);
    assert.equal(again.issuingCaCertPem, bootstrap.issuingCaCertPem);
    assert.equal(again.trustBundleS3Version, bootstrap.trustBundleS3Version);
    assert.equal(world.kms.signCalls.length, signs);
    assert.equal(world.s3.putCount(), puts);
    assert.equal(world.dynamo.writes.length, writes);
  });

  let issued: IssueResponse;
  let issuedCsr = "";
  it("issues a client certificate that verifies for sslclient against the published bundle, with one kms:Sign", async () => {
    const signs = world.kms.signCalls.length;
    issuedCsr = clientCsr();
    issued = (await issuer({ csrPem: issuedCsr, purposes: ["client_auth"], lifetimeDays: 90, idempotencyKey: "cloudfront-origin-2026-11" }, world.worker(), "req-1")) as IssueResponse;
    assert.ok(!("error" in issued), JSON.stringify(issued));
    assert.equal(world.kms.signCalls.length - signs, 1);
    assert.equal(issued.chainPem, bootstrap.issuingCaCertPem + bootstrap.rootCaCertPem);
    const result = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", put(work.dir, "bundle.pem", bootstrap.trustBundlePem), put(work.dir, "leaf.pem", issued.certificatePem)]);
    assert.equal(result.status, 0, result.output);
    assert.match(tool("openssl", ["x509", "-noout", "-ext", "crlDistributionPoints"], { input: issued.certificatePem }).stdout, /pki\.example\.com\/issuing-ca\.crl/);
    const record = world.dynamo.items.get(`CERT#${issued.serialNumber}|CERT`)!;
    assert.equal(record.status, "valid");
    assert.equal(record.requestId, "req-1");
    assert.equal(record.serialDecimal, BigInt("0x" + issued.serialNumber).toString());
    assert.ok(world.dynamo.items.has(`IDEMPOTENCY#${keyScope(issued.certificatePem)}:cloudfront-origin-2026-11|IDEMPOTENCY`), "the record is scoped by the CSR's public key");
    assert.ok(world.logs.some((l) => l.includes('"event":"issue.issued"')));
    assert.ok(world.logs.every((l) => !l.includes("PRIVATE KEY") && !l.includes("BEGIN CERTIFICATE REQUEST")), "no key material or CSR bodies in logs");
  });

  it("a retry with the same idempotency key returns the same certificate without signing", async () => {
    const signs = world.kms.signCalls.length;
    const first = world.dynamo.writes.length;
    const original = world.logs.length;
    // The very same request, as a client retrying after a timeout sends it (here as a JSON string payload).
    const request = JSON.stringify({ csrPem: issuedCsr, purposes: ["client_auth"], lifetimeDays: 90, idempotencyKey: "cloudfront-origin-2026-11" });
    const again = (await issuer(request, world.worker(), "req-2")) as IssueResponse;
    assert.equal(again.serialNumber, issued.serialNumber);
    assert.equal(again.certificatePem, issued.certificatePem);
    assert.equal(world.kms.signCalls.length, signs);
    assert.equal(world.dynamo.writes.length, first);
    assert.ok(world.logs.slice(original).some((l) => l.includes('"event":"issue.replayed"')));
  });

  it("the same idempotency key with another request for the same public key is refused, writing nothing", async () => {
    const signs = world.kms.signCalls.length;
    const writes = world.dynamo.writes.length;
    const conflict = await issuer({ csrPem: issuedCsr, purposes: ["client_auth"], lifetimeDays: 30, idempotencyKey: "cloudfront-origin-2026-11" }, world.worker());
    assert.deepEqual(Object.keys(conflict), ["error"]);
    assert.equal((conflict as { error: { code: string; field: string } }).error.code, "IDEMPOTENCY_CONFLICT");
    assert.equal(world.kms.signCalls.length, signs);
    assert.equal(world.dynamo.writes.length, writes);
  });

  it("a key claimed first by someone else (another public key) cannot block the key holder's request", async () => {
    // The attack of issue 13: anyone allowed to issue claims the renewal's key before the renewal runs.
    const key = "edge-mtls.workload-dev.origin-client.w348";
    const squatter = (await issuer({ csrPem: clientCsr(), purposes: ["client_auth"], lifetimeDays: 1, idempotencyKey: key }, world.worker())) as IssueResponse;
    assert.ok(!("error" in squatter), JSON.stringify(squatter));
    const ownerKey = generatePrivateKey("ecdsa-p256");
    const renewal = { csrPem: clientCsr("CloudFront", "CloudFront", ownerKey), purposes: ["client_auth"], lifetimeDays: 90, idempotencyKey: key };
    const owner = (await issuer(renewal, world.worker())) as IssueResponse;
    assert.ok(!("error" in owner), JSON.stringify(owner));
    assert.notEqual(owner.serialNumber, squatter.serialNumber);
    assert.ok(new X509Certificate(owner.certificatePem).checkPrivateKey(ownerKey), "the owner gets a certificate for its own key");
    const signs = world.kms.signCalls.length;
    const retried = (await issuer(renewal, world.worker())) as IssueResponse;
    assert.equal(retried.serialNumber, owner.serialNumber, "and its retries still replay");
    assert.equal(world.kms.signCalls.length, signs);
  });

  it("ca-issuer does not revoke: ACTION_MOVED naming ca-revoker, and nothing changes", async () => {
    const [signs, writes, puts] = [world.kms.signCalls.length, world.dynamo.writes.length, world.s3.putCount()];
    const refused = (await issuer({ action: "revoke", serialNumber: issued.serialNumber, reason: "keyCompromise" }, world.worker())) as { error: { code: string; field: string; message: string } };
    assert.deepEqual([refused.error.code, refused.error.field], ["ACTION_MOVED", "action"]);
    assert.match(refused.error.message, /ca-issuer does not revoke: invoke edge-mtls-dev-ca-revoker \(allowed only to the roles in edge-mtls:revokerPrincipals\)/);
    assert.deepEqual([world.kms.signCalls.length, world.dynamo.writes.length, world.s3.putCount()], [signs, writes, puts]);
    assert.equal(world.dynamo.items.get(`CERT#${issued.serialNumber}|CERT`)!.status, "valid");
  });

  it("ca-revoker marks the certificate and publishes a CRL listing it at once; openssl then refuses the certificate", async () => {
    const revoked = (await revoker({ action: "revoke", serialNumber: issued.serialNumber, reason: "keyCompromise" }, world.worker())) as RevokeResponse;
    assert.equal(revoked.reason, "keyCompromise");
    assert.equal(revoked.crlNumber, 2);
    const crlDer = world.s3.latest(ARTIFACT_KEYS.issuingCrl)!;
    const crlPem = toPem(crlDer, "X509 CRL");
    const text = tool("openssl", ["crl", "-noout", "-text", "-CAfile", put(work.dir, "issuing2.pem", bootstrap.issuingCaCertPem)], { input: crlPem });
    assert.match(text.output, /verify OK/);
    assert.match(text.output, new RegExp(`Serial Number: ${issued.serialNumber.toUpperCase()}[\\s\\S]*Key Compromise`));
    const rootCrl = toPem(world.s3.latest(ARTIFACT_KEYS.rootCrl)!, "X509 CRL");
    const check = tool("openssl", ["verify", "-crl_check_all", "-CRLfile", put(work.dir, "crls.pem", crlPem + rootCrl), "-CAfile", put(work.dir, "b.pem", bootstrap.trustBundlePem), put(work.dir, "revoked.pem", issued.certificatePem)]);
    assert.notEqual(check.status, 0);
    assert.match(check.output, /certificate revoked/);
    const twice = await revoker({ serialNumber: issued.serialNumber }, world.worker());
    assert.equal((twice as { error: { code: string } }).error.code, "ALREADY_REVOKED");
  });

  it("ca-crl republishes with the next CRL number, prunes expired entries and emits the freshness metric", async () => {
    // Revoke a 1-day certificate, then move the clock past its expiry.
    const shortLived = (await issuer({ csrPem: clientCsr("user-7", "Security Operations"), purposes: ["client_auth"], lifetimeDays: 1 }, world.worker())) as IssueResponse;
    await revoker({ action: "revoke", serialNumber: shortLived.serialNumber, reason: "superseded" }, world.worker());
    world.setNow(new Date(Date.now() + 3 * 86400_000));
    const result = (await crlHandle({}, world.worker())) as { crlNumber: number; listed: number; pruned: number };
    world.setNow(new Date());
    assert.equal(result.crlNumber, 4);
    assert.equal(result.listed, 1);
    assert.equal(result.pruned, 1);
    assert.ok(world.logs.some((l) => l === JSON.stringify({ metric: "edge-mtls/ca/IssuingCrlPublished", value: 1 })));
  });

  it("ca-admin root-crl republishes the root CRL with the root key", async () => {
    const before = world.kms.signCalls.length;
    const result = (await admin({ action: "root-crl" }, world.admin())) as { crlNumber: number };
    assert.equal(result.crlNumber, 2);
    assert.equal(world.kms.signCalls.at(-1)!.KeyId, "root-key");
    assert.equal(world.kms.signCalls.length - before, 1);
  });

  describe("refusals write nothing and sign nothing", () => {
    const weakCsr = () => tool("openssl", ["req", "-new", "-nodes", "-newkey", "rsa:1024", "-keyout", "/dev/null", "-subj", "/CN=CloudFront/OU=CloudFront"]).stdout;
    type Handler = (event: unknown, deps: ReturnType<typeof world.worker>) => Promise<unknown>;
    const cases: Array<[string, () => unknown, string, string?, Handler?]> = [
      ["malformed JSON", () => "{ not json", "REQUEST_INVALID", "request"],
      ["unknown action", () => ({ action: "delete-everything" }), "REQUEST_INVALID", "action"],
      ["missing csrPem", () => ({ purposes: ["client_auth"] }), "REQUEST_INVALID", "csrPem"],
      ["missing purposes", () => ({ csrPem: clientCsr() }), "PURPOSE_MISSING", "purposes"],
      ["weak key", () => ({ csrPem: weakCsr(), purposes: ["client_auth"] }), "KEY_TOO_WEAK", "csrPem"],
      ["CN outside the name policy", () => ({ csrPem: clientCsr("Mallory"), purposes: ["client_auth"] }), "SUBJECT_CN_NOT_ALLOWED", "subject.commonName"],
      ["lifetime over the maximum", () => ({ csrPem: clientCsr(), purposes: ["client_auth"], lifetimeDays: 1000 }), "LIFETIME_OUT_OF_RANGE", "lifetimeDays"],
      ["ca-issuer asked to revoke", () => ({ action: "revoke", serialNumber: "0abc" }), "ACTION_MOVED", "action"],
      ["revoke without a serial", () => ({ action: "revoke" }), "SERIAL_INVALID", "serialNumber", revoker],
      ["revoke an unknown serial", () => ({ action: "revoke", serialNumber: "0abc" }), "NOT_FOUND", "serialNumber", revoker],
      ["revoke with an unknown reason", () => ({ action: "revoke", serialNumber: "0abc", reason: "whim" }), "REASON_UNKNOWN", "reason", revoker],
      ["revoke with extra fields", () => ({ action: "revoke", serialNumber: "0abc", force: true }), "REQUEST_INVALID", "force", revoker],
      ["ca-revoker asked to issue", () => ({ action: "issue", csrPem: clientCsr(), purposes: ["client_auth"] }), "REQUEST_INVALID", "action", revoker],
      ["ca-revoker given malformed JSON", () => "{ not json", "REQUEST_INVALID", "request", revoker],
      ["ca-revoker given a list", () => [{ serialNumber: "0abc" }], "REQUEST_INVALID", "request", revoker],
    ];
    for (const [name, event, code, field, handler = issuer] of cases) {
      it(`${name} → ${code}`, async () => {
        const signs = world.kms.signCalls.length;
        const writes = world.dynamo.writes.length;
        const puts = world.s3.putCount();
        const response = (await handler(event(), world.worker())) as { error: { code: string; field?: string; message: string } };
        assert.equal(response.error?.code, code, JSON.stringify(response));
        if (field) assert.equal(response.error.field, field);
        assert.ok(response.error.message.length > 15);
        assert.equal(world.kms.signCalls.length, signs, "no kms:Sign");
        assert.equal(world.dynamo.writes.length, writes, "no DynamoDB write");
        assert.equal(world.s3.putCount(), puts, "no S3 write");
      });
    }
  });


});

// Its own world: aws-sdk-client-mock patches the client classes, so worlds must not overlap.
describe("functions: the CA before bootstrap", () => {
  it("before bootstrap, ca-issuer refuses with CA_NOT_INITIALISED and ca-crl fails loudly", async () => {
    const fresh = fakeCaWorld();
    try {
      const response = (await issuer({ csrPem: clientCsr(), purposes: ["client_auth"] }, fresh.worker())) as { error: { code: string } };
      assert.equal(response.error.code, "CA_NOT_INITIALISED");
      await assert.rejects(crlHandle({}, fresh.worker()), /CA_NOT_INITIALISED/);
      assert.equal(fresh.kms.signCalls.length, 0);
    } finally {
      fresh.cleanup();
    }
  });
});

describe("functions: CA configuration and logging", () => {
  it("reads the environment the component sets, with defaults", () => {
    const config = readCaConfig(TEST_CA_ENV);
    assert.equal(config.rootLifetimeDays, 7305);
    assert.equal(config.issuingLifetimeDays, 3652);
    assert.equal(config.crlValidityHours, 6);
    assert.deepEqual(config.policy.names.client_auth.commonNames, ["CloudFront", "My Test Certificate", "user-*", "edge-mtls-smoke-test"]);
  });

  it("names the variable that is missing or wrong", () => {
    assert.throws(() => readCaConfig({ ...TEST_CA_ENV, CA_TABLE: "" }), (e: Error) => e instanceof CaConfigError && /CA_TABLE: is not set/.test(e.message));
    assert.throws(() => readCaConfig({ ...TEST_CA_ENV, ISSUANCE_POLICY: "{" }), /ISSUANCE_POLICY: is not valid JSON/);
    assert.throws(() => readCaConfig({ ...TEST_CA_ENV, CRL_VALIDITY_HOURS: "0" }), /CRL_VALIDITY_HOURS: must be a positive whole number/);
    assert.throws(() => readCaConfig({ ...TEST_CA_ENV, ISSUANCE_POLICY: JSON.stringify({ names: { client_auth: {} } }) }), /ISSUANCE_POLICY\.names\.client_auth\.commonNames must be an array/);
  });

  it("the JSON logger drops secret-looking fields and anything holding a private key", () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l));
    log.info("x", { privateKey: "abc", subject: "CN=a", note: "-----BEGIN EC PRIVATE KEY-----", idempotencyKey: "k-12345678" });
    const parsed = JSON.parse(lines[0]!);
    assert.equal(parsed.subject, "CN=a");
    assert.equal(parsed.idempotencyKey, "k-12345678");
    assert.equal("privateKey" in parsed, false);
    assert.equal("note" in parsed, false);
    log.metric("ns", "M", 1);
    assert.deepEqual(JSON.parse(lines[1]!)._aws.CloudWatchMetrics, [{ Namespace: "ns", Dimensions: [[]], Metrics: [{ Name: "M", Unit: "Count" }] }]);
  });
});

describe("functions: CRL publication races (a newer CRL is never replaced by an older one)", function () {
  this.timeout(60_000);
  let world: ReturnType<typeof fakeCaWorld>;
  let issuingPem: string;
  before(async () => {
    world = fakeCaWorld();
    issuingPem = ((await admin({ action: "bootstrap" }, world.admin())) as BootstrapResult).issuingCaCertPem;
  });
  after(() => world.cleanup());

  const issue = async () => ((await issuer({ csrPem: clientCsr("user-race", "Security Operations"), purposes: ["client_auth"] }, world.worker())) as IssueResponse).serialNumber;
  const publishedCrl = () => readVerifiedCrl(world.s3.latest(ARTIFACT_KEYS.issuingCrl)!, issuingPem, new Date());

  it("a slow scheduled ca-crl run that read the revocations before a revoke cannot publish its older CRL over the revoke's", async () => {
    const serial = await issue();
    const slow = world.worker();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let listed!: () => void;
    const hasListed = new Promise<void>((resolve) => (listed = resolve));
    const store = slow.store;
    const slowStore = new Proxy(store, {
      get: (target, name) =>
        name === "listRevoked"
          ? async () => {
              const entries = await target.listRevoked();
              listed();
              await gate; // the run stalls here (a cold start, KMS throttling…)
              return entries;
            }
          : (target as unknown as Record<string | symbol, (...args: unknown[]) => unknown>)[name]!.bind(target),
    });
    const scheduled = crlHandle({}, { ...slow, store: slowStore });
    await hasListed;
    const revoked = (await revoker({ action: "revoke", serialNumber: serial, reason: "keyCompromise" }, world.worker())) as RevokeResponse;
    release();
    const late = (await scheduled) as { crlNumber: number };
    assert.ok(late.crlNumber < revoked.crlNumber, `the scheduled run took number ${late.crlNumber} before the revoke's ${revoked.crlNumber}`);
    const final = publishedCrl();
    assert.equal(final.crlNumber, BigInt(revoked.crlNumber), "the newer CRL stays published");
    assert.ok(final.revoked.has(serial), "and the revoked serial stays listed");
    assert.ok(world.logs.some((l) => JSON.parse(l).event === "crl.superseded" && JSON.parse(l).crlNumber === late.crlNumber));
    // The next scheduled run publishes a newer number, still listing it.
    await crlHandle({}, world.worker());
    assert.ok(publishedCrl().revoked.has(serial) && publishedCrl().crlNumber > BigInt(revoked.crlNumber));
  });

  it("a revocation the eventually consistent revoked index has not caught up with is waited for, not left out of the CRL", async () => {
    const serial = await issue();
    const queriesBefore = world.dynamo.index.queries;
    // The index misses the new revocation on its first read after the revoke.
    world.dynamo.index.lagging = (item) => item.serialHex === serial && world.dynamo.index.queries <= queriesBefore + 1;
    const revoked = (await revoker({ action: "revoke", serialNumber: serial, reason: "keyCompromise" }, world.worker())) as RevokeResponse;
    world.dynamo.index.lagging = () => false;
    assert.ok(world.dynamo.index.queries >= queriesBefore + 2, "read again after seeing fewer revocations than the CA counts");
    assert.equal(publishedCrl().crlNumber, BigInt(revoked.crlNumber));
    assert.ok(publishedCrl().revoked.has(serial));
  });

  it("an index that never catches up fails the CRL build rather than publishing an incomplete CRL", async () => {
    const serial = await issue();
    const before = world.s3.latest(ARTIFACT_KEYS.issuingCrl);
    world.dynamo.index.lagging = (item) => item.serialHex === serial;
    const waits: number[] = [];
    const store = new DynamoCaStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-2" })), world.config.tableName, async (ms) => void waits.push(ms));
    await store.revoke(serial, new Date().toISOString(), "keyCompromise");
    await assert.rejects(crlHandle({}, { ...world.worker(), store }), /revoked index lists \d+ certificates but the CA has revoked \d+/);
    world.dynamo.index.lagging = () => false;
    assert.equal(world.s3.latest(ARTIFACT_KEYS.issuingCrl), before, "nothing published");
    assert.equal(waits.reduce((a, b) => a + b, 0) >= INDEX_CATCH_UP_MS, true, `waited ${waits.join("+")} ms`);
  });

  it("S3ArtifactStore: a sequenced publish is an S3 conditional write, re-checked when another writer wins the race", async () => {
    const s3 = mockClient(S3Client);
    try {
      s3.on(HeadObjectCommand).resolvesOnce({ ETag: '"e4"', VersionId: "v4", Metadata: { sequence: "4", sha256: "x" } }).resolves({ ETag: '"e6"', VersionId: "v6", Metadata: { sequence: "6", sha256: "y" } });
      s3.on(PutObjectCommand).rejects(Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), { name: "PreconditionFailed" }));
      const store = new S3ArtifactStore(new S3Client({ region: "eu-west-2" }), "bucket");
      assert.deepEqual(await store.publish("issuing-ca.crl", new Uint8Array([1]), "application/pkix-crl", { sequence: 5 }), { versionId: "v6", changed: false, supersededBy: 6 });
      const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
      assert.deepEqual(puts.map((p) => [p.IfMatch, p.IfNoneMatch, p.Metadata?.sequence]), [['"e4"', undefined, "5"]]);
      s3.reset();
      s3.on(HeadObjectCommand).rejects(Object.assign(new Error("Not Found"), { name: "NotFound" }));
      s3.on(PutObjectCommand).resolves({ VersionId: "v1" });
      await store.publish("issuing-ca.crl", new Uint8Array([1]), "application/pkix-crl", { sequence: 1 });
      assert.equal(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfNoneMatch, "*", "the first CRL is created only if none exists");
    } finally {
      s3.restore();
    }
  });
});

import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { cachedCrl, s3CrlFetch } from "../../functions/api-authorizer";
import { handle as admin, BootstrapResult } from "../../functions/ca-admin";
import { handle as crlHandle } from "../../functions/ca-crl";
import { handle as issuer, IssueResponse } from "../../functions/ca-issuer";
import { handle as revoker, RevokeResponse } from "../../functions/ca-revoker";
import { ARTIFACT_KEYS, S3ArtifactStore } from "../../functions/shared/artifacts";
import { readCaConfig } from "../../functions/shared/ca-config";
import { CaDeps, loadCa } from "../../functions/shared/ca-service";
import { CaStore, CertificateRecord, DynamoCaStore } from "../../functions/shared/ca-store";
import { S3ObjectReader } from "../../functions/shared/s3-get";
import { CA_FUNCTIONS, caBucketPolicy, functionStatements, PolicyStatement } from "../../components/ca-policies";
import { MemoryCaStore } from "../../offline/memory-ca";
import { buildCrl, RevokedEntry } from "../../pki/crl";
import { normaliseSerial, randomSerialHex } from "../../pki/serial";
import { issueLeaf, makeTestCa } from "../support/test-ca";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { createCsr } from "../../pki/csr";
import { KmsSigner } from "../../pki/kms-signer";
import { LOCAL_CA_FILES, LocalCa } from "../../pki/local-ca";
import { generatePrivateKey } from "../../pki/local-signer";
import { toPem } from "../../pki/pem";
import { memoryS3 } from "../support/aws-memory";
import { fakeCaWorld, TEST_CA_ENV } from "../support/ca-deps";
import { awsError, fakeKey, fakeKms } from "../support/kms-mock";
import { MotoDynamo, startMotoDynamo } from "../support/moto-dynamodb";
import { put, tempDir, tool } from "../support/tools";

type Refusal = { error: { code: string; field?: string; message: string } };
const HOUR_MS = 3600_000;

/**
 * The CA functions over moto's DynamoDB (conditional writes, transactions and indexes as an
 * implementation nobody here wrote judges them), a versioned S3 bucket in memory into which a
 * failure can be injected, and KMS signing with real keys.
 */
describe("functions: revocation integrity (moto's DynamoDB, S3 with injected failures)", function () {
  this.timeout(120_000);
  const config = readCaConfig({ ...TEST_CA_ENV, CA_TABLE: "revocation-integrity" });
  const work = tempDir();
  let moto: MotoDynamo;
  let kms: ReturnType<typeof fakeKms>;
  let s3: ReturnType<typeof memoryS3>;
  let store: DynamoCaStore;
  let issuingPem: string;
  let now = new Date();
  const logs: Record<string, unknown>[] = [];
  const deps = (withRoot = false): CaDeps => ({
    config,
    store,
    artifacts: new S3ArtifactStore(new S3Client({ region: "eu-west-2" }), config.bucketName),
    rootSigner: withRoot ? new KmsSigner({ client: kms.client, keyId: config.rootKeyId }) : undefined,
    issuingSigner: new KmsSigner({ client: kms.client, keyId: config.issuingKeyId }),
    clock: () => now,
    log: {
      info: (event, fields) => void logs.push({ event, ...fields }),
      error: (event, fields) => void logs.push({ level: "error", event, ...fields }),
      metric: () => undefined,
    },
  });

  before(async () => {
    moto = await startMotoDynamo();
    await moto.createInventoryTable(config.tableName);
    kms = fakeKms([fakeKey(config.rootKeyId, "ecdsa-p384"), fakeKey(config.issuingKeyId, "ecdsa-p256")]);
    s3 = memoryS3();
    store = new DynamoCaStore(moto.documents, config.tableName);
    issuingPem = ((await admin({ action: "bootstrap" }, deps(true))) as BootstrapResult).issuingCaCertPem;
  });
  after(() => {
    s3?.restore();
    kms?.cleanup();
    moto?.stop();
    work.cleanup();
  });
  afterEach(() => {
    s3.faults.put = undefined;
    now = new Date();
  });

  const csr = (key = generatePrivateKey("ecdsa-p256")) => createCsr(key, { commonName: "user-integrity", organizationalUnit: "Security Operations" });
  const issue = async (request: Record<string, unknown> = {}) => {
    const answer = (await issuer({ csrPem: csr(), purposes: ["client_auth"], lifetimeDays: 30, ...request }, deps())) as IssueResponse;
    assert.ok(!("error" in answer), JSON.stringify(answer));
    return answer;
  };
  const publishedCrl = () => readVerifiedCrl(s3.latest(ARTIFACT_KEYS.issuingCrl)!, issuingPem, now);
  const item = async (pk: string, sk: string) => (await moto.documents.send(new GetCommand({ TableName: config.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
  /** The first `times` PutObjects of the issuing CRL fail as S3 fails (a 500 the SDK gave up on). */
  const failCrlPuts = (times: number) => {
    let left = times;
    s3.faults.put = (input) => (input.Key === ARTIFACT_KEYS.issuingCrl && left-- > 0 ? awsError("InternalError", "We encountered an internal error. Please try again.") : undefined);
  };
  const quiet = async () => ({ signs: kms.signCalls.length, puts: s3.putCount(), crlNumber: (await store.getCa("issuing"))!.crlNumber });

  describe("a revoke whose CRL publication failed is finished by its retry, never answered ALREADY_REVOKED before a CRL lists it", () => {
    it("the retry publishes a CRL listing the serial (openssl reads it), with the date and reason first recorded; only then ALREADY_REVOKED", async () => {
      const { serialNumber, certificatePem } = await issue();
      failCrlPuts(1);
      await assert.rejects(revoker({ serialNumber, reason: "keyCompromise" }, deps()), /internal error/, "a fault, not a refusal: the invocation fails and the caller retries");
      const marked = (await store.getCertificate(serialNumber))!;
      assert.equal(marked.status, "revoked", "the mark was written before the publication failed");
      assert.ok(!publishedCrl().revoked.has(serialNumber), "and no published CRL lists it yet");

      const retried = (await revoker({ serialNumber, reason: "superseded" }, deps())) as RevokeResponse;
      assert.ok(!("error" in retried), JSON.stringify(retried));
      assert.deepEqual([retried.serialNumber, retried.revokedAt, retried.reason], [serialNumber, marked.revokedAt, "keyCompromise"]);
      const crl = publishedCrl();
      assert.equal(crl.crlNumber, BigInt(retried.crlNumber));
      assert.ok(crl.revoked.has(serialNumber));
      const crlFile = put(work.dir, "retried.crl.pem", toPem(s3.latest(ARTIFACT_KEYS.issuingCrl)!, "X509 CRL"));
      const text = tool("openssl", ["crl", "-noout", "-text", "-in", crlFile, "-CAfile", put(work.dir, "issuing.pem", issuingPem)]);
      assert.match(text.output, /verify OK/);
      assert.match(text.output, new RegExp(`Serial Number: ${serialNumber.toUpperCase()}[\\s\\S]*?Key Compromise`));
      const check = tool("openssl", ["verify", "-crl_check", "-CRLfile", crlFile, "-CAfile", put(work.dir, "chain.pem", issuingPem), "-partial_chain", put(work.dir, "leaf.pem", certificatePem)]);
      assert.match(check.output, /certificate revoked/);

      const before = await quiet();
      const again = (await revoker({ serialNumber }, deps())) as Refusal;
      assert.equal(again.error.code, "ALREADY_REVOKED");
      assert.match(again.error.message, new RegExp(`CRL number ${retried.crlNumber} lists it`));
      assert.deepEqual(await quiet(), before, "ALREADY_REVOKED signs, writes and publishes nothing");
    });

    it("the next scheduled ca-crl run lists it too; a retry after that answers ALREADY_REVOKED without publishing again", async () => {
      const { serialNumber } = await issue();
      failCrlPuts(1);
      await assert.rejects(revoker({ serialNumber, reason: "keyCompromise" }, deps()), /internal error/);
      const scheduled = (await crlHandle({}, deps())) as { crlNumber: number };
      assert.ok(publishedCrl().revoked.has(serialNumber));
      const before = await quiet();
      const retried = (await revoker({ serialNumber, reason: "keyCompromise" }, deps())) as Refusal;
      assert.equal(retried.error.code, "ALREADY_REVOKED");
      assert.match(retried.error.message, new RegExp(`CRL number ${scheduled.crlNumber} lists it`));
      assert.deepEqual(await quiet(), before);
    });

    it("a retry whose publication fails again fails again, and the one after succeeds", async () => {
      const { serialNumber } = await issue();
      failCrlPuts(2);
      await assert.rejects(revoker({ serialNumber }, deps()), /internal error/);
      await assert.rejects(revoker({ serialNumber }, deps()), /internal error/, "not ALREADY_REVOKED: no CRL lists it");
      const third = (await revoker({ serialNumber }, deps())) as RevokeResponse;
      assert.equal(third.serialNumber, serialNumber);
      assert.ok(publishedCrl().revoked.has(serialNumber));
    });

    it("at scale: the published CRL is read whole (100,001 entries) to answer ALREADY_REVOKED, and a serial it lacks is published", async () => {
      const listed = await issue();
      const missing = await issue();
      failCrlPuts(1);
      await assert.rejects(revoker({ serialNumber: missing.serialNumber }, deps()), /internal error/);
      await revoker({ serialNumber: listed.serialNumber, reason: "keyCompromise" }, deps());
      // A CRL as big as the CA is meant to carry, listing `listed` last and not `missing`.
      const issuing = await loadCa((await store.getCa("issuing"))!, deps().issuingSigner, config.leafProfile);
      const notAfter = new Date(now.getTime() + 30 * 24 * HOUR_MS);
      const entries: RevokedEntry[] = Array.from({ length: 100_000 }, () => ({ serialHex: randomSerialHex(), revokedAt: now, reason: "superseded", notAfter }));
      entries.push({ serialHex: listed.serialNumber, revokedAt: now, reason: "keyCompromise", notAfter });
      const crlNumber = await store.nextCrlNumber("issuing");
      const big = await buildCrl(issuing, { crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR_MS), entries });
      await deps().artifacts.publish(ARTIFACT_KEYS.issuingCrl, big.der, "application/pkix-crl", { sequence: crlNumber });
      const before = await quiet();
      const again = (await revoker({ serialNumber: listed.serialNumber }, deps())) as Refusal;
      assert.equal(again.error.code, "ALREADY_REVOKED");
      assert.match(again.error.message, new RegExp(`CRL number ${crlNumber} lists it`));
      assert.deepEqual(await quiet(), before);
      const finished = (await revoker({ serialNumber: missing.serialNumber }, deps())) as RevokeResponse;
      assert.ok(finished.crlNumber > crlNumber && publishedCrl().revoked.has(missing.serialNumber));
    });

    it("a published CRL that lists it but is past its nextUpdate is not proof: the retry publishes a current one", async () => {
      const { serialNumber } = await issue({ lifetimeDays: 60 });
      await revoker({ serialNumber, reason: "cessationOfOperation" }, deps());
      // No CRL was published for longer than the CRL's validity (ca-crl failing all along).
      now = new Date(Date.now() + (config.crlValidityHours + 1) * HOUR_MS);
      const stale = BigInt((await store.getCa("issuing"))!.crlNumber);
      const retried = (await revoker({ serialNumber }, deps())) as RevokeResponse;
      assert.ok(!("error" in retried), JSON.stringify(retried));
      assert.ok(BigInt(retried.crlNumber) > stale);
      assert.ok(publishedCrl().revoked.has(serialNumber), "current at the new clock, and listing it");
    });
  });

  it("an older CRL put back in the bucket (a restored version) is replaced by the next ca-crl run, with a higher number still listing the revocation", async () => {
    const { serialNumber } = await issue();
    const before = s3.objects.get(ARTIFACT_KEYS.issuingCrl)!.at(-1)!;
    const revoked = (await revoker({ serialNumber, reason: "keyCompromise" }, deps())) as RevokeResponse;
    // What restoring a previous version does (a copy of it, metadata and all, becomes the current version).
    s3.objects.get(ARTIFACT_KEYS.issuingCrl)!.push({ ...before, versionId: "restored" });
    assert.ok(!publishedCrl().revoked.has(serialNumber) && publishedCrl().crlNumber < BigInt(revoked.crlNumber), "the older CRL is current");
    const next = (await crlHandle({}, deps())) as { crlNumber: number };
    assert.ok(next.crlNumber > revoked.crlNumber);
    assert.equal(publishedCrl().crlNumber, BigInt(next.crlNumber), "its lower sequence did not stop the publication");
    assert.ok(publishedCrl().revoked.has(serialNumber));
  });

  describe("inventory records are only ever created, and a revoked record stays revoked", () => {
    const recordLike = (record: CertificateRecord): CertificateRecord => ({ ...record, status: "valid", revokedAt: undefined, reason: undefined, requestId: "replayed" });

    for (const [name, makeStore] of [
      ["DynamoCaStore on moto", () => store],
      ["MemoryCaStore", () => new MemoryCaStore()],
    ] as const) {
      it(`${name}: a put of a serial the inventory holds as revoked writes nothing, with or without an idempotency key`, async () => {
        const target: CaStore = makeStore();
        const { serialNumber } = await issue();
        const original = (await store.getCertificate(serialNumber))!;
        if (target !== store) {
          assert.equal(await target.putCertificate(original), "created");
        }
        assert.equal(await target.revoke(serialNumber, new Date().toISOString(), "keyCompromise"), "revoked");
        const revoked = (await target.getCertificate(serialNumber))!;
        assert.equal(await target.putCertificate(recordLike(revoked)), "serial-exists");
        assert.equal(await target.putCertificate(recordLike(revoked), { key: "fresh-key", serialHex: serialNumber, requestHash: "h" }), "serial-exists", "a collision is not an idempotent replay");
        assert.equal(await target.getIdempotency("fresh-key"), undefined, "all or nothing: the idempotency record was not written either");
        assert.deepEqual(await target.getCertificate(serialNumber), revoked, "the revoked record is untouched");
        assert.equal(await target.revoke(serialNumber, new Date().toISOString(), "unspecified"), "already-revoked");
        assert.deepEqual(await target.getCertificate(serialNumber), revoked, "a second revoke changes neither date nor reason");
        assert.ok((await target.listRevoked()).some((e) => e.serialHex === serialNumber), "and the next CRL still lists it");
      });
    }

    it("ca-issuer: a colliding serial fails the invocation, leaving the revoked record and the idempotency key untouched", async () => {
      const victim = await issue();
      await revoker({ serialNumber: victim.serialNumber, reason: "keyCompromise" }, deps());
      const revoked = (await store.getCertificate(victim.serialNumber))!;
      // The serial source repeats a serial (it cannot, with 157 random bits, unless it is broken).
      const colliding = new Proxy(store, {
        get: (target, name) =>
          name === "putCertificate"
            ? (record: CertificateRecord, idempotency?: Parameters<CaStore["putCertificate"]>[1]) => target.putCertificate({ ...record, serialHex: victim.serialNumber }, idempotency && { ...idempotency, serialHex: victim.serialNumber })
            : (target as unknown as Record<string | symbol, (...args: unknown[]) => unknown>)[name]!.bind(target),
      });
      const key = generatePrivateKey("ecdsa-p256");
      const logged = logs.length;
      await assert.rejects(
        issuer({ csrPem: csr(key), purposes: ["client_auth"], idempotencyKey: "collides" }, { ...deps(), store: colliding }),
        /^Error: serial [0-9a-f]{40} is already in the inventory; the new certificate was discarded and the existing record left as it was$/,
      );
      assert.deepEqual(await store.getCertificate(victim.serialNumber), revoked);
      assert.ok(logs.slice(logged).some((l) => l.event === "issue.serial_exists" && l.level === "error"));
      // The key is still free: the same request, without the collision, gets a certificate of its own.
      const retried = (await issuer({ csrPem: csr(key), purposes: ["client_auth"], idempotencyKey: "collides" }, deps())) as IssueResponse;
      assert.ok(!("error" in retried), JSON.stringify(retried));
      assert.notEqual(retried.serialNumber, victim.serialNumber);
    });

    it("ca-issuer: replaying the idempotency key of a revoked certificate is refused (CERTIFICATE_REVOKED) and writes and signs nothing", async () => {
      const key = generatePrivateKey("ecdsa-p256");
      const request = { csrPem: csr(key), purposes: ["client_auth"], lifetimeDays: 30, idempotencyKey: "replayed-after-revocation" };
      const first = (await issuer(request, deps())) as IssueResponse;
      const replay = (await issuer(request, deps())) as IssueResponse;
      assert.equal(replay.certificatePem, first.certificatePem, "a replay returns the stored certificate");
      await revoker({ serialNumber: first.serialNumber, reason: "keyCompromise" }, deps());
      const revoked = (await store.getCertificate(first.serialNumber))!;
      const before = await quiet();
      const refused = (await issuer(request, deps())) as Refusal;
      assert.deepEqual([refused.error.code, refused.error.field], ["CERTIFICATE_REVOKED", "idempotencyKey"]);
      assert.match(refused.error.message, new RegExp(`${first.serialNumber}, which was revoked on ${revoked.revokedAt} \\(keyCompromise\\)`));
      assert.deepEqual(await quiet(), before);
      assert.deepEqual(await store.getCertificate(first.serialNumber), revoked, "still revoked");
      assert.equal(new X509Certificate(first.certificatePem).serialNumber.toLowerCase(), first.serialNumber);
    });

    it("no other write path touches a revoked record: ca-admin's index-inventory, ca-crl and a second bootstrap leave it as it was", async () => {
      const { serialNumber } = await issue();
      await revoker({ serialNumber, reason: "affiliationChanged" }, deps());
      const before = await item(`CERT#${serialNumber}`, "CERT");
      assert.equal(before!.status, "revoked");
      await admin({ action: "index-inventory" }, deps(true));
      await crlHandle({}, deps());
      await admin({ action: "bootstrap" }, deps(true));
      assert.deepEqual(await item(`CERT#${serialNumber}`, "CERT"), before);
      assert.ok(publishedCrl().revoked.has(serialNumber));
    });
  });
});

describe("pki: the local CA's inventory only creates records, and a revoked record stays revoked", () => {
  const work = tempDir();
  after(work.cleanup);

  it("an issue whose serial the inventory already holds (revoked) fails and leaves inventory.json as it was", async () => {
    const ca = await LocalCa.init(join(work.dir, "ca"));
    const request = () => ({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "local" }), purposes: ["client_auth"] });
    const victim = await ca.issue(request());
    ca.revoke(victim.serialHex, "keyCompromise");
    const inventory = readFileSync(join(ca.dir, LOCAL_CA_FILES.inventory), "utf8");
    // The serial source repeats a serial.
    const issueLeaf = ca.issuing.issueLeaf.bind(ca.issuing);
    Object.assign(ca.issuing, { issueLeaf: async (...args: Parameters<typeof issueLeaf>) => ({ ...(await issueLeaf(...args)), serialHex: victim.serialHex }) });
    await assert.rejects(ca.issue(request()), new RegExp(`serial ${victim.serialHex} is already in the inventory \\(revoked\\)`));
    assert.equal(readFileSync(join(ca.dir, LOCAL_CA_FILES.inventory), "utf8"), inventory);
    const reopened = await LocalCa.open(ca.dir);
    assert.deepEqual(reopened.records.map((r) => [r.serialHex, r.status]), [[victim.serialHex, "revoked"]]);
    assert.equal((await reopened.crl()).listed, 1);
  });
});

describe("api-authorizer: where an older CRL could come from (README, 'Why a cold authorizer trusts the current CRL object')", () => {
  it("only roles that may also sign with the issuing key can write the CRL object; the workload accounts only read the bucket", () => {
    const arns = { partition: "aws", accountId: "111111111111", rootKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/root", issuingKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/issuing", tableArn: "arn:aws:dynamodb:eu-west-2:111111111111:table/ca", bucketArn: "arn:aws:s3:::ca-bucket" };
    const crlObject = `${arns.bucketArn}/${ARTIFACT_KEYS.issuingCrl}`;
    const list = (value: string | readonly string[] | undefined) => (value === undefined ? [] : typeof value === "string" ? [value] : [...value]);
    const allows = (statements: readonly PolicyStatement[], action: string, resource: string) =>
      statements.some((s) => s.Effect === "Allow" && list(s.Action).some((a) => a === action || a === "s3:*" || a === "*") && list(s.Resource).some((r) => r === resource || r === "*" || (r.endsWith("*") && resource.startsWith(r.slice(0, -1)))));
    const writers = CA_FUNCTIONS.filter((fn) => ["s3:PutObject", "s3:DeleteObjectVersion", "s3:RestoreObject"].some((action) => allows(functionStatements(fn, arns), action, crlObject)));
    assert.deepEqual([...writers].sort(), ["ca-admin", "ca-crl", "ca-revoker"]);
    for (const fn of writers) assert.ok(allows(functionStatements(fn, arns), "kms:Sign", arns.issuingKeyArn), `${fn} can write the CRL and also sign one`);
    const bucket = caBucketPolicy(arns.bucketArn, ["arn:aws:iam::222222222222:root"], "arn:aws:cloudfront::111111111111:distribution/E1");
    const granted = bucket.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action));
    assert.deepEqual([...new Set(granted)].sort(), ["s3:GetObject", "s3:GetObjectVersion"], "the bucket policy grants reads only");
  });

  it("a fresh container takes the current CRL object even if a warm one has seen a newer number; neither takes it past its nextUpdate", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca);
    const t0 = new Date();
    const serial = normaliseSerial(leaf.certificate.serialHex);
    const older = await buildCrl(ca.issuing, { crlNumber: 6, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR_MS), entries: [] });
    const newer = await buildCrl(ca.issuing, { crlNumber: 7, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR_MS), entries: [{ serialHex: leaf.certificate.serialHex, revokedAt: t0, reason: "keyCompromise", notAfter: leaf.certificate.notAfter }] });
    let served = newer.der;
    let clock = t0;
    const warm = cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock);
    assert.ok((await warm()).available);
    served = older.der; // the object was put back to CRL 6
    clock = new Date(t0.getTime() + 120_000);
    const warmAnswer = await warm();
    assert.ok(warmAnswer.available && warmAnswer.revokedSerials.has(serial), "a warm container keeps CRL 7");
    const cold = await cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock)();
    assert.ok(cold.available && !cold.revokedSerials.has(serial), "a cold container has no memory of CRL 7: it trusts the object S3 serves (the chosen behaviour)");
    clock = new Date(t0.getTime() + HOUR_MS);
    assert.equal((await cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock)()).available, false, "past its nextUpdate nobody takes it");
  });

  it("the authorizer asks S3 for the current object (no version id), revalidating with its ETag", async () => {
    const asked: unknown[] = [];
    const reader = { get: async (key: string, options: unknown) => (asked.push([key, options]), { body: new Uint8Array([1]), etag: '"e1"' }) };
    const fetch = s3CrlFetch("ca-bucket", ARTIFACT_KEYS.issuingCrl, reader as unknown as S3ObjectReader);
    await fetch({});
    await fetch({ etag: '"e1"' });
    assert.deepEqual(asked, [
      [ARTIFACT_KEYS.issuingCrl, { ifNoneMatch: undefined }],
      [ARTIFACT_KEYS.issuingCrl, { ifNoneMatch: '"e1"' }],
    ]);
  });
});

describe("functions: publishing into an empty bucket, as S3 answers the CA roles' reads of missing objects", function () {
  this.timeout(60_000);
  const arns = { partition: "aws", accountId: "111111111111", rootKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/root", issuingKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/issuing", tableArn: "arn:aws:dynamodb:eu-west-2:111111111111:table/ca", bucketArn: "arn:aws:s3:::ca-bucket" };
  /** What the role's real policy says about s3:ListBucket on the bucket: it decides 404 or 403 for a missing object. */
  const mayList = (fn: "ca-admin" | "ca-crl" | "ca-revoker") =>
    functionStatements(fn, arns).some((s) => s.Effect === "Allow" && [s.Action].flat().includes("s3:ListBucket") && [s.Resource].flat().includes(arns.bucketArn));
  let world: ReturnType<typeof fakeCaWorld>;
  before(() => (world = fakeCaWorld()));
  after(() => world.cleanup());

  it("ca-admin's first bootstrap publishes every artifact; ca-crl and ca-revoker publish a first issuing CRL a failed bootstrap left missing", async () => {
    world.s3.access.canList = mayList("ca-admin");
    const bootstrap = await admin({ action: "bootstrap" }, world.admin());
    assert.ok(!("error" in bootstrap), JSON.stringify(bootstrap));
    assert.ok(world.s3.latest(ARTIFACT_KEYS.trustBundle) && world.s3.latest(ARTIFACT_KEYS.issuingCrl));
    // As if the bootstrap had stopped before its first issuing CRL.
    world.s3.objects.delete(ARTIFACT_KEYS.issuingCrl);
    world.s3.access.canList = mayList("ca-crl");
    await crlHandle({}, world.worker());
    assert.ok(world.s3.latest(ARTIFACT_KEYS.issuingCrl), "ca-crl created it");
    const issued = (await issuer({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "user-empty", organizationalUnit: "Security Operations" }), purposes: ["client_auth"] }, world.worker())) as IssueResponse;
    failCrlPutsOnce(world);
    await assert.rejects(revoker({ serialNumber: issued.serialNumber }, world.worker()), /internal error/);
    world.s3.objects.delete(ARTIFACT_KEYS.issuingCrl);
    world.s3.access.canList = mayList("ca-revoker");
    const retried = (await revoker({ serialNumber: issued.serialNumber }, world.worker())) as RevokeResponse;
    assert.ok(!("error" in retried), JSON.stringify(retried));
    assert.ok(readVerifiedCrl(world.s3.latest(ARTIFACT_KEYS.issuingCrl)!, (await world.worker().store.getCa("issuing"))!.certificatePem, new Date()).revoked.has(issued.serialNumber));
  });
});

function failCrlPutsOnce(world: ReturnType<typeof fakeCaWorld>): void {
  let left = 1;
  world.s3.faults.put = (input) => (input.Key === ARTIFACT_KEYS.issuingCrl && left-- > 0 ? awsError("InternalError", "We encountered an internal error. Please try again.") : undefined);
}

import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { handle as admin, BootstrapResult } from "../../functions/ca-admin";
import { handle as crlHandle } from "../../functions/ca-crl";
import { handle as issuer, IssueResponse } from "../../functions/ca-issuer";
import { handle as revoker, RevokeResponse } from "../../functions/ca-revoker";
import { ARTIFACT_KEYS, S3ArtifactStore } from "../../functions/shared/artifacts";
import { readCaConfig } from "../../functions/shared/ca-config";
import { CaDeps } from "../../functions/shared/ca-service";
import { CONFLICT_ATTEMPTS, DynamoCaStore } from "../../functions/shared/ca-store";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { createCsr } from "../../pki/csr";
import { KmsSigner } from "../../pki/kms-signer";
import { generatePrivateKey } from "../../pki/local-signer";
import { memoryS3 } from "../support/aws-memory";
import { TEST_CA_ENV } from "../support/ca-deps";
import { fakeKey, fakeKms } from "../support/kms-mock";
import { MotoDynamo, startMotoDynamo } from "../support/moto-dynamodb";

type Refusal = { error: { code: string; field?: string; message: string } };

/** What DynamoDB answers a transaction that lost to another on one of its items (nothing is written). */
const conflict = () =>
  Object.assign(new Error("Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"), {
    name: "TransactionCanceledException",
    CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }],
  });

/**
 * Races around a revocation, over moto's DynamoDB (its conditional writes and transactions): the
 * same serial revoked at once by several callers, revocations of different serials that collide on
 * the issuing CA's revocation count, a revoke beside the scheduled ca-crl run; and bad serials.
 */
describe("functions: revocation races and bad serials (moto's DynamoDB)", function () {
  this.timeout(120_000);
  const config = readCaConfig({ ...TEST_CA_ENV, CA_TABLE: "revocation-races" });
  let moto: MotoDynamo;
  let kms: ReturnType<typeof fakeKms>;
  let s3: ReturnType<typeof memoryS3>;
  let issuingPem: string;
  /** Transactions to cancel with TransactionConflict before they reach moto. */
  let conflicts = 0;
  const sleeps: number[] = [];
  const deps = (): CaDeps => {
    const documents = moto.documents;
    const client = {
      send: (command: unknown) => {
        if (command instanceof TransactWriteCommand && conflicts > 0) {
          conflicts--;
          return Promise.reject(conflict());
        }
        return documents.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    return {
      config,
      store: new DynamoCaStore(client, config.tableName, async (ms) => void sleeps.push(ms)),
      artifacts: new S3ArtifactStore(new S3Client({ region: "eu-west-2" }), config.bucketName),
      issuingSigner: new KmsSigner({ client: kms.client, keyId: config.issuingKeyId }),
      rootSigner: new KmsSigner({ client: kms.client, keyId: config.rootKeyId }),
      clock: () => new Date(),
      log: { info: () => undefined, error: () => undefined, metric: () => undefined },
    };
  };
  const issue = async () => (await issuer({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "user-race", organizationalUnit: "Security Operations" }), purposes: ["client_auth"], lifetimeDays: 30 }, deps())) as IssueResponse;
  const caItem = async () => (await moto.documents.send(new GetCommand({ TableName: config.tableName, Key: { pk: "CA#issuing", sk: "CA" }, ConsistentRead: true }))).Item!;
  const status = async (serial: string) => (await moto.documents.send(new GetCommand({ TableName: config.tableName, Key: { pk: `CERT#${serial}`, sk: "CERT" }, ConsistentRead: true }))).Item!.status;
  const published = () => readVerifiedCrl(s3.latest(ARTIFACT_KEYS.issuingCrl)!, issuingPem, new Date());

  before(async () => {
    moto = await startMotoDynamo();
    await moto.createInventoryTable(config.tableName);
    kms = fakeKms([fakeKey(config.rootKeyId, "ecdsa-p384"), fakeKey(config.issuingKeyId, "ecdsa-p256")]);
    s3 = memoryS3();
    issuingPem = ((await admin({ action: "bootstrap" }, deps())) as BootstrapResult).issuingCaCertPem;
  });
  after(() => {
    s3?.restore();
    kms?.cleanup();
    moto?.stop();
  });
  afterEach(() => {
    conflicts = 0;
  });

  it("revocations that lose to another transaction on the CA record are tried again: each revoked once, counted once, listed", async () => {
    const serials = await Promise.all([1, 2, 3].map(async () => (await issue()).serialNumber));
    const counted = Number((await caItem()).revocations ?? 0);
    conflicts = 4; // every revoke of this batch collides at least once on CA#issuing
    const answers = await Promise.all(serials.map((serialNumber) => revoker({ serialNumber, reason: "keyCompromise" }, deps())));
    for (const answer of answers) assert.ok(!("error" in answer), JSON.stringify(answer));
    assert.equal(Number((await caItem()).revocations), counted + 3);
    for (const serial of serials) {
      assert.equal(await status(serial), "revoked");
      assert.ok(published().revoked.has(serial), serial);
    }
    assert.ok(sleeps.length >= 4, "backed off before trying again");
  });

  it("a conflict that outlasts the retries fails the invocation as a fault and writes nothing (never ALREADY_REVOKED, never a half mark)", async () => {
    const { serialNumber } = await issue();
    const counted = Number((await caItem()).revocations ?? 0);
    conflicts = CONFLICT_ATTEMPTS;
    await assert.rejects(revoker({ serialNumber, reason: "keyCompromise" }, deps()), (error: Error) => error.name === "TransactionCanceledException");
    assert.equal(await status(serialNumber), "valid");
    assert.equal(Number((await caItem()).revocations ?? 0), counted);
    assert.ok(!published().revoked.has(serialNumber));
    // The caller's retry completes it.
    const retried = (await revoker({ serialNumber, reason: "keyCompromise" }, deps())) as RevokeResponse;
    assert.equal(retried.serialNumber, serialNumber);
    assert.ok(published().revoked.has(serialNumber));
  });

  it("the same serial revoked by 8 callers at once: one revocation counted, each answer a success or ALREADY_REVOKED, the CRL lists it", async () => {
    const { serialNumber } = await issue();
    const counted = Number((await caItem()).revocations ?? 0);
    const answers = await Promise.all(Array.from({ length: 8 }, () => revoker({ serialNumber, reason: "superseded" }, deps())));
    for (const answer of answers) {
      if ("error" in answer) assert.equal((answer as Refusal).error.code, "ALREADY_REVOKED", JSON.stringify(answer));
      else assert.deepEqual([answer.serialNumber, answer.reason], [serialNumber, "superseded"]);
    }
    const record = (await moto.documents.send(new GetCommand({ TableName: config.tableName, Key: { pk: `CERT#${serialNumber}`, sk: "CERT" }, ConsistentRead: true }))).Item!;
    for (const answer of answers) if (!("error" in answer)) assert.equal(answer.revokedAt, record.revokedAt, "every success reports the one recorded revocation");
    assert.equal(Number((await caItem()).revocations), counted + 1);
    assert.ok(published().revoked.has(serialNumber));
  });

  it("a revoke beside the scheduled ca-crl run: the published CRL is the highest number and lists the revocation", async () => {
    const { serialNumber } = await issue();
    const [revoked, scheduled] = await Promise.all([revoker({ serialNumber, reason: "keyCompromise" }, deps()) as Promise<RevokeResponse>, crlHandle({}, deps()) as Promise<{ crlNumber: number }>]);
    const crl = published();
    assert.ok(crl.revoked.has(serialNumber));
    assert.equal(Number(crl.crlNumber), Math.max(revoked.crlNumber, scheduled.crlNumber), "a lower number never replaces a higher one");
    assert.equal(Number(crl.crlNumber), Number((await caItem()).crlNumber));
  });

  it("bad serials: a specific SERIAL_INVALID on serialNumber, a short message (a huge input is not echoed), nothing read, written or signed", async () => {
    const before = { signs: kms.signCalls.length, puts: s3.putCount(), ca: await caItem() };
    for (const serialNumber of ["zz", "0x", "12:34:g5", "1".repeat(43), "ab".repeat(5 * 1024 * 1024), 123456, null, ["01"], { hex: "01" }, " "]) {
      const answer = (await revoker({ serialNumber, reason: "keyCompromise" }, deps())) as Refusal;
      assert.deepEqual([answer.error.code, answer.error.field], ["SERIAL_INVALID", "serialNumber"], JSON.stringify(answer).slice(0, 300));
      assert.ok(answer.error.message.length < 300, `message of ${answer.error.message.length} characters`);
    }
    assert.deepEqual({ signs: kms.signCalls.length, puts: s3.putCount(), ca: await caItem() }, before);
  });
});

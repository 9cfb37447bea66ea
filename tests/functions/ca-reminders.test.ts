import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { CLAIM_LEASE_MS, handle, readReminderConfig, ReminderDeps, reminderMessage, reminderWindow, snsPublisher } from "../../functions/ca-reminders";
import { CertificateRecord, DynamoCaStore } from "../../functions/shared/ca-store";
import { DynamoInventory, DynamoReminderLedger, toEntry } from "../../functions/shared/inventory";
import { jsonLogger } from "../../functions/shared/log";
import { awsError } from "../support/kms-mock";
import { MotoDynamo, startMotoDynamo } from "../support/moto-dynamodb";
import { issueLeaf, makeTestCa } from "../support/test-ca";
import { BACKDATE_MS } from "../../pki/profiles";

const DAY = 86400_000;
const T0 = new Date("2027-05-01T06:00:00Z");
const WINDOWS = [30, 14, 7, 1];
const TOPIC = "arn:aws:sns:eu-west-2:111111111111:certificates";

let serialCounter = 0x4000;
/** A certificate record issued `issuedDaysBefore` T0 with a lifetime, as ca-issuer stores it (notBefore backdated as the CA does). */
function certificate(issuedDaysBefore: number, lifetimeDays: number, extra: Partial<CertificateRecord> = {}): CertificateRecord {
  const issued = new Date(T0.getTime() - issuedDaysBefore * DAY);
  const serialHex = (++serialCounter).toString(16).padStart(40, "4");
  return {
    serialHex,
    serialDecimal: BigInt("0x" + serialHex).toString(10),
    subject: `CN=user-${serialHex.slice(-4)},OU=Security Operations`,
    sans: [],
    purposes: ["client_auth"],
    notBefore: new Date(issued.getTime() - BACKDATE_MS).toISOString(),
    notAfter: new Date(issued.getTime() + lifetimeDays * DAY).toISOString(),
    certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    requestId: `request-${serialHex.slice(-4)}`,
    status: "valid",
    ...extra,
  };
}

describe("functions: ca-reminders (pure)", () => {
  it("puts a certificate in the smallest window its remaining time has entered, among windows shorter than its lifetime", () => {
    const at = (left: number, lifetime = 90) => reminderWindow({ notBefore: new Date(T0.getTime() - (lifetime - left) * DAY - BACKDATE_MS).toISOString(), notAfter: new Date(T0.getTime() + left * DAY).toISOString() }, T0, WINDOWS);
    assert.deepEqual([at(45), at(30), at(29.5), at(14), at(10), at(7), at(0.5), at(-1)], [undefined, 30, 30, 14, 14, 7, 1, undefined]);
    assert.equal(at(0.5, 1), undefined, "a 1-day certificate is not reminded of on its only day");
    assert.equal(at(6, 10), 7, "a 10-day certificate: the 7-day window applies, not the 30 or 14");
    assert.equal(at(12, 10), undefined);
  });

  it("counts a lifetime from issuance: certificates the CA issues for 1, 7, 14 or 30 days (notBefore backdated) are not in their own window at birth; a 31-day one enters the 30-day window a day later", async () => {
    const ca = await makeTestCa({ now: new Date(T0.getTime() - DAY) });
    const windowAt = async (lifetimeDays: number, at: Date) => {
      const { certificate: issued } = await issueLeaf(ca, { lifetimeDays, now: T0 });
      return reminderWindow({ notBefore: issued.notBefore.toISOString(), notAfter: issued.notAfter.toISOString() }, at, WINDOWS);
    };
    for (const days of [1, 7, 14, 30]) assert.equal(await windowAt(days, new Date(T0.getTime() + 60_000)), undefined, `${days}-day certificate`);
    assert.equal(await windowAt(31, new Date(T0.getTime() + 60_000)), undefined);
    assert.equal(await windowAt(31, new Date(T0.getTime() + DAY + 60_000)), 30);
  });

  it("writes a subject SNS accepts (printable ASCII, under 100 characters) and a message with subject, serial, requester and notAfter", () => {
    const record = certificate(80, 90, { subject: "CN=Ünïcødé\nname " + "x".repeat(120) + ",OU=Ops", idempotencyKey: `workload-dev.origin-client.initial.${"A".repeat(43)}`, series: "workload-dev.origin-client" } as Partial<CertificateRecord>);
    const message = reminderMessage(toEntry({ ...record, series: "workload-dev.origin-client" }, T0), 14, T0, { environment: "prod", windowsDays: WINDOWS });
    assert.ok(message.subject.length < 100 && /^[\x20-\x7e]+$/.test(message.subject), message.subject);
    assert.match(message.subject, /^edge-mtls prod: certificate \?n\?c\?d\?\?name x+\.\.\.$/);
    assert.match(message.message, new RegExp(`Serial: +${record.serialHex}`));
    assert.match(message.message, /Requester: +workload-dev\.origin-client \(ca-issuer request request-/);
    assert.match(message.message, new RegExp(`Not after: +${record.notAfter.replace(/\./g, "\\.")}`));
    assert.match(message.message, /reminders go out once each, at 30, 14, 7, 1 days before expiry/);
    assert.deepEqual(message.attributes, { serialNumber: record.serialHex, windowDays: "14", notAfter: record.notAfter });
  });

  it("reads its configuration, naming the variable that is wrong", () => {
    const config = readReminderConfig({ NOTIFICATION_TOPIC_ARN: TOPIC, REMINDER_WINDOWS_DAYS: "[7, 30, 7]", CA_ENVIRONMENT: "dev" });
    assert.deepEqual(config.windowsDays, [30, 7]);
    assert.deepEqual(readReminderConfig({ NOTIFICATION_TOPIC_ARN: TOPIC }).windowsDays, [30, 14, 7, 1]);
    assert.throws(() => readReminderConfig({}), /environment NOTIFICATION_TOPIC_ARN: must be an SNS topic ARN/);
    assert.throws(() => readReminderConfig({ NOTIFICATION_TOPIC_ARN: TOPIC, REMINDER_WINDOWS_DAYS: "[0]" }), /environment REMINDER_WINDOWS_DAYS: must be a non-empty JSON list/);
  });

  it("publishes through SNS with the subject and attributes; to a FIFO topic with a group and a deduplication id per certificate and window", async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    try {
      const message = reminderMessage(toEntry(certificate(80, 90), T0), 14, T0, { environment: "dev", windowsDays: WINDOWS });
      assert.equal(await snsPublisher(new SNSClient({ region: "eu-west-2" }), TOPIC)(message), "m-1");
      await snsPublisher(new SNSClient({ region: "eu-west-2" }), `${TOPIC}.fifo`)(message);
      const [standard, fifo] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      assert.deepEqual([standard!.TopicArn, standard!.Subject, standard!.MessageGroupId, standard!.MessageAttributes!.windowDays], [TOPIC, message.subject, undefined, { DataType: "String", StringValue: "14" }]);
      assert.deepEqual([fifo!.MessageGroupId, fifo!.MessageDeduplicationId], [message.groupId, message.deduplicationId]);
      assert.match(fifo!.MessageDeduplicationId!, /^[0-9a-f]{64}$/);
    } finally {
      sns.restore();
    }
  });
});

describe("functions: ca-reminders on moto's DynamoDB", function () {
  this.timeout(120_000);
  let moto: MotoDynamo;
  let table = 0;
  before(async () => {
    moto = await startMotoDynamo();
  });
  after(() => moto?.stop());

  /** A fresh inventory with `records` (written through the store), and a publisher that records what it sent. */
  async function world(records: CertificateRecord[]) {
    const name = `reminders-${++table}`;
    await moto.createInventoryTable(name);
    const store = new DynamoCaStore(moto.documents, name);
    // The issuing CA's record exists whenever certificates do (ca-admin's bootstrap); revocations count on it.
    assert.ok(await store.createCa({ role: "issuing", certificatePem: "(not read here)", serialHex: "01", notAfter: "2036-01-01T00:00:00Z", crlNumber: 0 }));
    for (const record of records) assert.equal(await store.putCertificate(record), "created");
    const published: { serial: string; window: string; subject: string }[] = [];
    let now = T0;
    let failNext = 0;
    const deps = (overrides: Partial<ReminderDeps> = {}): ReminderDeps => ({
      config: { topicArn: TOPIC, windowsDays: WINDOWS, environment: "dev" },
      inventory: new DynamoInventory(moto.documents, name),
      ledger: new DynamoReminderLedger(moto.documents, name),
      publish: async (message) => {
        // A real publication takes a round trip: let concurrent runs interleave.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (failNext > 0) {
          failNext--;
          throw awsError("InternalErrorException", "SNS is having a bad day");
        }
        published.push({ serial: message.attributes.serialNumber!, window: message.attributes.windowDays!, subject: message.subject });
        return `message-${published.length}`;
      },
      clock: () => now,
      newToken: randomUUID,
      log: jsonLogger(() => undefined),
      ...overrides,
    });
    return { name, store, published, deps, setNow: (date: Date) => void (now = date), failPublications: (count: number) => void (failNext = count) };
  }

  it("sends one reminder per certificate per window as the days pass, never the same one twice", async () => {
    const soon = certificate(70, 90); // 20 days left: the 30-day window at once
    const later = certificate(40, 90); // 50 days left: not yet
    const revoked = certificate(85, 90, { status: "revoked", revokedAt: T0.toISOString(), reason: "superseded" });
    const smokeTest = certificate(0.5, 1); // a one-day certificate
    const w = await world([soon, later, revoked, smokeTest]);
    const first = await handle({}, w.deps());
    assert.deepEqual(w.published.map((p) => [p.serial, p.window]), [[soon.serialHex, "30"]]);
    assert.deepEqual([first.sent, first.alreadySent], [1, 0]);
    // The same day again: nothing new.
    assert.equal((await handle({}, w.deps())).sent, 0);
    assert.equal(w.published.length, 1);
    // Day by day for 60 days: each certificate gets 30, 14, 7, 1 once, in that order.
    for (let day = 1; day <= 60; day++) {
      w.setNow(new Date(T0.getTime() + day * DAY));
      await handle({}, w.deps());
    }
    const by = (serial: string) => w.published.filter((p) => p.serial === serial).map((p) => p.window);
    assert.deepEqual(by(soon.serialHex), ["30", "14", "7", "1"]);
    assert.deepEqual(by(later.serialHex), ["30", "14", "7", "1"]);
    assert.deepEqual(by(revoked.serialHex), [], "revoked certificates are not reminded of");
    assert.deepEqual(by(smokeTest.serialHex), []);
    const record = await moto.documents.send(new GetCommand({ TableName: w.name, Key: { pk: `REMINDER#${soon.serialHex}`, sk: "W#7" } }));
    assert.equal(record.Item!.state, "sent");
    assert.equal(record.Item!.expiresAt, Math.floor(new Date(soon.notAfter).getTime() / 1000) + 30 * 86400, "removed by DynamoDB's TTL a month after expiry");
  });

  it("overlapping runs (a retry, a manual run) send each reminder exactly once", async () => {
    const records = Array.from({ length: 25 }, (_, i) => certificate(80 + (i % 5), 90));
    const w = await world(records);
    const results = await Promise.all(Array.from({ length: 4 }, () => handle({}, w.deps())));
    assert.equal(w.published.length, 25);
    assert.equal(new Set(w.published.map((p) => `${p.serial}/${p.window}`)).size, 25);
    assert.equal(results.reduce((sum, r) => sum + r.sent, 0), 25);
    assert.equal(results.reduce((sum, r) => sum + r.alreadySent, 0), 75, "the other runs found each one claimed");
  });

  it("a failed publication fails the run (error alarm) and is sent by a later run once the claim lapses, once", async () => {
    const record = certificate(80, 90);
    const w = await world([record]);
    w.failPublications(1);
    await assert.rejects(handle({}, w.deps()), /1 reminder\(s\) could not be published \(serials [0-9a-f]+\); the next run retries them/);
    assert.equal(w.published.length, 0);
    // Within the lease another run leaves it alone; after it, the reminder goes out.
    w.setNow(new Date(T0.getTime() + CLAIM_LEASE_MS / 2));
    assert.equal((await handle({}, w.deps())).sent, 0);
    w.setNow(new Date(T0.getTime() + CLAIM_LEASE_MS + 1000));
    assert.equal((await handle({}, w.deps())).sent, 1);
    assert.equal((await handle({}, w.deps())).sent, 0);
    assert.deepEqual(w.published.map((p) => p.window), ["14"]);
  });

  it("a run that dies between the publication and the mark sends that reminder again once the lease lapses (at least once, as the README says), not before", async () => {
    const record = certificate(80, 90);
    const w = await world([record]);
    const ledger = new DynamoReminderLedger(moto.documents, w.name);
    const crashing = w.deps({ ledger: { claim: ledger.claim.bind(ledger), markSent: async () => {
      throw new Error("Runtime exited: the function was killed");
    } } });
    await assert.rejects(handle({}, crashing), /1 reminder\(s\) could not be published/);
    assert.equal(w.published.length, 1, "the message went out before the crash");
    w.setNow(new Date(T0.getTime() + CLAIM_LEASE_MS - 1000));
    assert.equal((await handle({}, w.deps())).sent, 0);
    w.setNow(new Date(T0.getTime() + CLAIM_LEASE_MS + 1000));
    assert.equal((await handle({}, w.deps())).sent, 1);
    assert.equal((await handle({}, w.deps())).sent, 0);
    assert.deepEqual(w.published.map((p) => p.window), ["14", "14"]);
  });

  it("does not remind of a certificate its stack component has already renewed (a later valid certificate of the same series)", async () => {
    const key = (period: string) => `workload-dev.origin-client.${period}.${"B".repeat(43)}`;
    const old = certificate(80, 90, { subject: "CN=CloudFront,OU=CloudFront", idempotencyKey: key("initial") });
    const renewed = certificate(1, 90, { subject: "CN=CloudFront,OU=CloudFront", idempotencyKey: key(`r${old.serialHex}`) });
    const otherStack = certificate(80, 90, { subject: "CN=CloudFront,OU=CloudFront", idempotencyKey: `workload-prod.origin-client.initial.${"C".repeat(43)}` });
    const w = await world([old, renewed, otherStack]);
    const result = await handle({}, w.deps());
    assert.deepEqual(w.published.map((p) => p.serial), [otherStack.serialHex]);
    assert.equal(result.superseded, 1);
    // Revoke the renewal: the old one is the live certificate again, and is reminded of.
    await w.store.revoke(renewed.serialHex, T0.toISOString(), "superseded");
    await handle({}, w.deps());
    assert.deepEqual(w.published.map((p) => p.serial).sort(), [old.serialHex, otherStack.serialHex].sort());
  });
});

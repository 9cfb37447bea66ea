import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { handle as caAdmin } from "../../functions/ca-admin";
import { handle, InventoryResponse } from "../../functions/ca-inventory";
import { CertificateRecord, certificateItem, DynamoCaStore } from "../../functions/shared/ca-store";
import { DynamoInventory, InventoryPage, MAX_ITEMS_READ_PER_PAGE, yearsBetween, planInventoryQuery } from "../../functions/shared/inventory";
import { jsonLogger } from "../../functions/shared/log";
import { filterInventory, InventoryEntry, InventoryFilters, listedStatus } from "../../pki/inventory-query";
import { MemoryArtifactStore } from "../../offline/memory-ca";
import { readCaConfig } from "../../functions/shared/ca-config";
import { LocalSigner } from "../../pki/local-signer";
import { TEST_CA_ENV } from "../support/ca-deps";
import { startMotoDynamo, MotoDynamo } from "../support/moto-dynamodb";
import { makeTestCa } from "../support/test-ca";

const DAY = 86400_000;
const NOW = new Date("2026-09-15T08:00:00Z");
const ROOT_FROM = new Date("2026-03-01T00:00:00Z");

/** A deterministic pseudo-random sequence, so a failure can be reproduced. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** `count` certificate records as ca-issuer writes them: issued between the root's start and now, lifetimes 1–365 days. */
export function syntheticRecords(count: number, seed = 7): CertificateRecord[] {
  const random = sequence(seed);
  return Array.from({ length: count }, (_, i) => {
    const notBefore = new Date(ROOT_FROM.getTime() + Math.floor(random() * (NOW.getTime() - ROOT_FROM.getTime())));
    const lifetimeDays = 1 + Math.floor(random() * 365);
    const serialHex = (0x40 + (i % 0x3f)).toString(16) + randomBytes(19).toString("hex");
    const cloudFront = i % 50 === 0;
    return {
      serialHex,
      serialDecimal: BigInt("0x" + serialHex).toString(10),
      subject: cloudFront ? "CN=CloudFront,OU=CloudFront" : `CN=user-${i},OU=Security Operations`,
      sans: [],
      purposes: ["client_auth"],
      notBefore: notBefore.toISOString(),
      notAfter: new Date(notBefore.getTime() + lifetimeDays * DAY).toISOString(),
      certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      requestId: `req-${i}`,
      status: "valid",
      ...(cloudFront ? { idempotencyKey: `workload-${i % 3}.origin-client.initial.${"A".repeat(43)}` } : { idempotencyKey: `cli-${i}` }),
    };
  });
}

const entryOf = (record: CertificateRecord, now: Date): InventoryEntry => ({
  serialHex: record.serialHex,
  status: listedStatus(record, now),
  subject: record.subject,
  sans: record.sans,
  purposes: record.purposes,
  notBefore: record.notBefore,
  notAfter: record.notAfter,
  ...(record.revokedAt ? { revokedAt: record.revokedAt, reason: record.reason } : {}),
  requester: "",
});

/** What a listing must return, computed from the records without DynamoDB. */
const expected = (records: CertificateRecord[], filters: InventoryFilters) => filterInventory(records.map((r) => entryOf(r, NOW)), filters, NOW).map((e) => e.serialHex);

/** Follows a listing's cursors to the end: every entry, the total items read, the number of pages. */
async function listAll(list: (request: Record<string, unknown>) => Promise<InventoryPage>, request: Record<string, unknown>) {
  const entries: InventoryEntry[] = [];
  let itemsRead = 0;
  let pages = 0;
  let cursor: string | undefined;
  let index = "";
  do {
    const page = await list({ ...request, ...(cursor ? { cursor } : {}) });
    entries.push(...page.entries);
    itemsRead += page.itemsRead;
    index = page.index;
    cursor = page.cursor;
    pages++;
  } while (cursor);
  return { serials: entries.map((e) => e.serialHex), entries, itemsRead, pages, index };
}

/** An inventory table on moto with the CA records and `records`, every `revokeEvery`th revoked through the store. */
async function inventoryOn(moto: MotoDynamo, table: string, records: CertificateRecord[], revokeEvery: number) {
  await moto.createInventoryTable(table);
  const store = new DynamoCaStore(moto.documents, table);
  const ca = await makeTestCa({ now: ROOT_FROM });
  // The CA records bound the expiry range: the root's notBefore to the issuing CA's notAfter.
  assert.ok(await store.createCa({ role: "root", certificatePem: ca.rootPem, serialHex: "01", notAfter: "2046-03-01T00:00:00.000Z", crlNumber: 1 }));
  assert.ok(await store.createCa({ role: "issuing", certificatePem: ca.issuingPem, serialHex: "02", notAfter: "2036-03-01T00:00:00.000Z", crlNumber: 1 }));
  // Some records go in through the store's own write path (first: moto copies the table for each
  // transaction), the rest through moto's backend (fast); some are revoked through the store's
  // conditional update, as ca-revoker does it.
  for (const record of records.slice(0, 10)) assert.equal(await store.putCertificate(record), "created");
  assert.equal(await moto.load(table, records.slice(10).map(certificateItem)), records.length - 10);
  for (let i = 0; i < records.length; i += revokeEvery) {
    const revokedAt = new Date(NOW.getTime() - (i % 7) * DAY).toISOString();
    assert.equal(await store.revoke(records[i]!.serialHex, revokedAt, "keyCompromise"), "revoked");
    records[i] = { ...records[i]!, status: "revoked", revokedAt, reason: "keyCompromise" };
  }
  return new DynamoInventory(moto.documents, table);
}

describe("functions: ca-inventory on moto's DynamoDB", function () {
  this.timeout(300_000);
  let moto: MotoDynamo;
  before(async () => {
    moto = await startMotoDynamo();
  });
  after(() => moto?.stop());

  it("plans reads by index and range: revoked from the revoked index; the rest from the years of the notAfter range", () => {
    const bounds = { earliest: ROOT_FROM, latest: new Date("2036-03-01T00:00:00Z") };
    assert.deepEqual(planInventoryQuery({ status: "revoked" }, NOW, bounds), { index: "revoked" });
    assert.deepEqual(planInventoryQuery({ expiringWithinDays: 30, status: "valid" }, NOW, bounds), { index: "expiry", partitions: ["2026"], from: NOW.toISOString(), to: new Date(NOW.getTime() + 30 * DAY).toISOString(), storedStatus: "valid" });
    const expired = planInventoryQuery({ status: "expired" }, NOW, bounds);
    assert.deepEqual(expired.index === "expiry" && [expired.partitions, expired.from, expired.to, expired.storedStatus], [["2026"], ROOT_FROM.toISOString(), new Date(NOW.getTime() - 1).toISOString(), "valid"]);
    const valid = planInventoryQuery({ status: "valid" }, NOW, bounds);
    assert.deepEqual(valid.index === "expiry" && [valid.partitions.length, valid.partitions[0], valid.partitions.at(-1)], [11, "2026", "2036"]);
    assert.equal(yearsBetween(new Date("2026-12-31T23:59:59Z"), new Date("2028-01-01T00:00:00Z")).join(","), "2026,2027,2028");
    assert.deepEqual(yearsBetween(NOW, new Date(NOW.getTime() - 1)), []);
  });

  describe("12,000 certificates: reads only what the filter needs", () => {
    let records: CertificateRecord[];
    let inventory: DynamoInventory;
    const list = async (request: Record<string, unknown>) => (await handle(request, { inventory, clock: () => NOW, log: jsonLogger(() => undefined) })) as InventoryPage;
    before(async () => {
      records = syntheticRecords(12_000);
      inventory = await inventoryOn(moto, "large", records, 300);
    });

    it("--status valid --expiring-within 30: exactly the right certificates, reading only those expiring in the next 30 days", async () => {
      const listed = await listAll(list, { status: "valid", expiringWithinDays: 30 });
      assert.equal(listed.index, "expiry");
      assert.deepEqual(listed.serials.sort(), expected(records, { status: "valid", expiringWithinDays: 30 }).sort());
      const inRange = records.filter((r) => r.notAfter >= NOW.toISOString() && r.notAfter <= new Date(NOW.getTime() + 30 * DAY).toISOString()).length;
      assert.equal(listed.itemsRead, inRange, "moto's ScannedCount: the items in the range, revoked ones included, nothing else");
      assert.ok(listed.itemsRead < records.length / 10, `read ${listed.itemsRead} of ${records.length}`);
      assert.ok(listed.entries.length > 100);
    });

    it("--status revoked reads only the revoked index", async () => {
      const revoked = await listAll(list, { status: "revoked" });
      assert.equal(revoked.index, "revoked");
      assert.equal(revoked.itemsRead, 40);
      assert.deepEqual(revoked.serials.sort(), expected(records, { status: "revoked" }).sort());
      assert.ok(revoked.entries.every((e) => e.status === "revoked" && e.reason === "keyCompromise" && e.revokedAt));
    });
  });

  describe("1,500 certificates: filters, paging, refusals", () => {
    let records: CertificateRecord[];
    let inventory: DynamoInventory;
    const deps = () => ({ inventory, clock: () => NOW, log: jsonLogger(() => undefined) });
    const list = async (request: Record<string, unknown>) => (await handle(request, deps())) as InventoryPage;
    before(async () => {
      records = syntheticRecords(1_500, 11);
      inventory = await inventoryOn(moto, "small", records, 100);
    });

    it("--status expired reads only what expired before now", async () => {
      const expired = await listAll(list, { status: "expired" });
      assert.deepEqual(expired.serials.sort(), expected(records, { status: "expired" }).sort());
      assert.equal(expired.itemsRead, records.filter((r) => r.notAfter < NOW.toISOString()).length, "only certificates whose notAfter has passed");
      assert.ok(expired.entries.every((e) => e.status === "expired"));
    });

    it("--subject globs the DN or the CN; requesters come from the idempotency key's series", async () => {
      const page = await listAll(list, { subject: "user-11*", expiringWithinDays: 120 });
      assert.deepEqual(page.serials.sort(), expected(records, { subject: "user-11*", expiringWithinDays: 120 }).sort());
      assert.ok(page.entries.length > 0 && page.entries.every((e) => /^CN=user-11/.test(e.subject)));
      const cloudFront = await listAll(list, { subject: "CN=CloudFront,OU=*", expiringWithinDays: 365 });
      assert.ok(cloudFront.entries.length > 0);
      assert.ok(cloudFront.entries.every((e) => /^workload-[0-2]\.origin-client$/.test(e.requester)), JSON.stringify(cloudFront.entries.map((e) => e.requester)));
    });

    it("pages through a listing with cursors: every certificate once, each page at most pageSize, and a cursor only fits its own filters", async () => {
      const filters = { status: "valid" as const, expiringWithinDays: 200, subject: "*OU=Security Operations" };
      const listed = await listAll((request) => list({ ...request, pageSize: 97 }), filters);
      assert.ok(listed.pages > 2, `${listed.pages} pages`);
      assert.equal(new Set(listed.serials).size, listed.serials.length, "no certificate twice");
      assert.deepEqual(listed.serials.sort(), expected(records, filters).sort());
      const first = await list({ ...filters, pageSize: 10 });
      assert.equal(first.entries.length, 10);
      const refused = (await handle({ status: "expired", cursor: first.cursor }, deps())) as Extract<InventoryResponse, { error: unknown }>;
      assert.deepEqual([refused.error.code, refused.error.field], ["REQUEST_INVALID", "cursor"]);
      const forged = (await handle({ ...filters, cursor: "not-a-cursor" }, deps())) as Extract<InventoryResponse, { error: unknown }>;
      assert.match(forged.error.message, /cursor is not one this function returned/);
    });

    it("a subject glob that matches nothing reads a bounded number of items per page, then hands back a cursor (each invocation stays inside its timeout)", async () => {
      assert.equal(MAX_ITEMS_READ_PER_PAGE, 10_000);
      const cap = 400;
      const page = (cursor?: string) => inventory.list({ subject: "nobody-*" }, { now: NOW, pageSize: 1000, cursor, maxItemsRead: cap });
      const first = await page();
      assert.deepEqual(first.entries, []);
      assert.ok(first.itemsRead > 0 && first.itemsRead <= cap, `read ${first.itemsRead}`);
      assert.ok(first.cursor, "more to read: a cursor");
      let itemsRead = first.itemsRead;
      let cursor: string | undefined = first.cursor;
      let pages = 1;
      while (cursor) {
        const next = await page(cursor);
        assert.ok(next.itemsRead <= cap && next.entries.length === 0);
        itemsRead += next.itemsRead;
        cursor = next.cursor;
        pages++;
      }
      assert.equal(itemsRead, records.length, "every certificate read once over the pages");
      assert.ok(pages >= Math.ceil(records.length / cap));
    });

    it("refuses bad filters with the field and what is allowed", async () => {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ status: "active" }, "status", /status must be one of valid, revoked, expired/],
        [{ expiringWithinDays: -1 }, "expiringWithinDays", /whole number of days from 0 to 36525/],
        [{ expiringWithinDays: 7, status: "expired" }, "expiringWithinDays", /cannot be combined with status expired/],
        [{ subject: "" }, "subject", /non-empty glob/],
        [{ pageSize: 5000 }, "pageSize", /from 1 to 1000/],
        [{ sql: "1=1" }, "sql", /unknown field sql/],
      ];
      for (const [request, field, message] of cases) {
        const answer = (await handle(request, deps())) as Extract<InventoryResponse, { error: unknown }>;
        assert.equal(answer.error.field, field, JSON.stringify(request));
        assert.match(answer.error.message, message);
      }
    });
  });

  it("ca-admin's index-inventory gives certificates written before the indexes their attributes, once; then they are listed", async () => {
    const legacy = syntheticRecords(300, 23);
    const store = new DynamoCaStore(moto.documents, "legacy");
    await moto.createInventoryTable("legacy");
    const ca = await makeTestCa({ now: ROOT_FROM });
    await store.createCa({ role: "root", certificatePem: ca.rootPem, serialHex: "01", notAfter: "2046-03-01T00:00:00.000Z", crlNumber: 1 });
    await store.createCa({ role: "issuing", certificatePem: ca.issuingPem, serialHex: "02", notAfter: "2036-03-01T00:00:00.000Z", crlNumber: 1 });
    // As the store wrote them before this version: the record under its key, no index attributes.
    await moto.load("legacy", legacy.map((r) => ({ pk: `CERT#${r.serialHex}`, sk: "CERT", ...r })));
    const inventory = new DynamoInventory(moto.documents, "legacy");
    const list = async (request: Record<string, unknown>) => (await handle(request, { inventory, clock: () => NOW, log: jsonLogger(() => undefined) })) as InventoryPage;
    assert.equal((await listAll(list, { status: "valid" })).serials.length, 0, "invisible to the expiry index");
    const deps = { config: readCaConfig({ ...TEST_CA_ENV, CA_TABLE: "legacy" }), store, artifacts: new MemoryArtifactStore(), rootSigner: LocalSigner.generate("ecdsa-p384"), issuingSigner: LocalSigner.generate("ecdsa-p256"), clock: () => NOW, log: jsonLogger(() => undefined) };
    assert.deepEqual(await caAdmin({ action: "index-inventory" }, deps), { indexed: 300 });
    assert.deepEqual(await caAdmin({ action: "index-inventory" }, deps), { indexed: 0 }, "a second run finds nothing left to do");
    const listed = await listAll(list, { status: "valid" });
    assert.deepEqual(listed.serials.sort(), expected(legacy, { status: "valid" }).sort());
    const cloudFront = listed.entries.filter((e) => e.subject.startsWith("CN=CloudFront"));
    assert.ok(cloudFront.length > 0 && cloudFront.every((e) => /^workload-[0-2]\.origin-client$/.test(e.requester)), "the series came from the idempotency key");
  });
});

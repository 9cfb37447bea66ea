import { strict as assert } from "node:assert";
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, GetKeyCommand, ListKeysCommand, UpdateKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { handle as backend } from "../../functions/api-backend";
import { handle as sync, KeyValueStoreSerials, REVOKED_VALUE, SyncDeps, SyncError, SyncMemory } from "../../functions/revocation-sync";
import { applyChanges, decodeMarker, encodeMarker, Marker, MARKER_KEY, planChanges, STORE_RESERVE_BYTES } from "../../functions/revocation-sync/plan";
import { STORE_METRIC } from "../../functions/shared/contract";
import { MemoryKeyValueStore } from "../../offline/memory-kvs";
import { normaliseSerial, randomSerialHex } from "../../pki/serial";
import { buildCrl } from "../../pki/crl";
import { connectionFunctionSource } from "../../functions/connection-function/source";
import { loadConnectionFunction } from "../../rehearsal/connection-function";
import { makeTestCa } from "../support/test-ca";

const silent = { info: () => undefined, error: () => undefined, metric: () => undefined };

function apiEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    httpMethod: "POST",
    path: "/api",
    body: JSON.stringify({ hello: "world" }),
    isBase64Encoded: false,
    headers: {
      "CloudFront-Viewer-Cert-Present": "1",
      "CloudFront-Viewer-Cert-Subject": "CN=My Test Certificate,OU=Security Operations",
      "CloudFront-Viewer-Cert-Serial-Number": "4c:09:97:62",
    },
    requestContext: { requestId: "req-9", identity: { clientCert: { subjectDN: "CN=CloudFront,OU=CloudFront" } } },
    ...overrides,
  } as unknown as APIGatewayProxyEvent;
}

describe("functions: api-backend", () => {
  const clock = () => new Date("2026-02-13T19:50:25Z");

  it("answers POST /api with the end user's certificate from the viewer headers and the echoed body", async () => {
    const response = await backend(apiEvent({}), { clock });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(JSON.parse(response.body), {
      requestId: "req-9",
      viewer: { present: true, subject: "CN=My Test Certificate,OU=Security Operations", serialNumber: "4c:09:97:62", issuer: null },
      originClientSubject: "CN=CloudFront,OU=CloudFront",
      receivedAt: "2026-02-13T19:50:25.000Z",
      echo: { hello: "world" },
    });
  });

  it("reads base64 bodies and lower-case headers", async () => {
    const response = await backend(apiEvent({ body: Buffer.from('{"a":1}').toString("base64"), isBase64Encoded: true, headers: { "cloudfront-viewer-cert-subject": "CN=x" } }), { clock });
    const body = JSON.parse(response.body);
    assert.deepEqual([body.echo, body.viewer.subject, body.viewer.present], [{ a: 1 }, "CN=x", false]);
  });

  it("says clearly when the body is not JSON (400) or the method is wrong (405)", async () => {
    const bad = await backend(apiEvent({ body: "{not json" }), { clock });
    assert.equal(bad.statusCode, 400);
    assert.match(JSON.parse(bad.body).error, /not valid JSON/);
    assert.equal((await backend(apiEvent({ httpMethod: "GET" }), { clock })).statusCode, 405);
  });
});

/** The deployed connection function over a key value store holding `revoked` (or failing, or answering `answer`). */
function connectionFunction(revoked: Set<string> | "broken" | { answer: unknown }) {
  return loadConnectionFunction(async (key) => {
    if (revoked === "broken") throw new Error("kvs unavailable");
    if (!(revoked instanceof Set)) return revoked.answer as boolean;
    return revoked.has(key);
  });
}

describe("functions: viewer revocation connection function (cloudfront-js-2.0)", () => {
  const leaf = (serialNumber: unknown) => ({ clientCertificate: { certificates: { leaf: { serialNumber, subject: "CN=user" } } }, clientIp: "203.0.113.7" });

  it("denies a revoked serial in CloudFront's documented form (lower-case hex pairs with colons, leading 00: kept), allows others", async () => {
    const run = connectionFunction(new Set(["4c099762f9dbc450eae0da92d20ab2688d160fff", "8a0b"]));
    assert.equal(await run(leaf("4c:09:97:62:f9:db:c4:50:ea:e0:da:92:d2:0a:b2:68:8d:16:0f:ff")), "deny");
    assert.equal(await run(leaf("00:8a:0b")), "deny", "a positive serial with its high bit set keeps a leading 00 byte");
    assert.equal(await run(leaf("4C:09:97:62:F9:DB:C4:50:EA:E0:DA:92:D2:0A:B2:68:8D:16:0F:FF")), "deny", "upper-case hex is the same number");
    assert.equal(await run(leaf("4c:09:97:62:f9:db:c4:50:ea:e0:da:92:d2:0a:b2:68:8d:16:0f:fe")), "allow");
  });

  it("reads the tutorial's clientCertInfo shape too, in the same form", async () => {
    const run = connectionFunction(new Set(["abcd"]));
    assert.equal(await run({ clientCertInfo: { serialNumber: "ab:cd" } }), "deny");
    assert.equal(await run({ clientCertInfo: { serialNumber: "ab:ce" } }), "allow");
  });

  it("refuses serials in any other form instead of guessing: decimal, bare hex, 0x, odd digits, spaces, over 20 octets", async () => {
    // 1234567890 (decimal) would be the key "1234567890" if read as hex: a different certificate.
    const run = connectionFunction(new Set(["1234567890", "499602d2"]));
    for (const serial of ["1234567890", "499602d2", "0x49:96:02:d2", "4:99:60:2d:2", "49 96 02 d2", "49:96:02:d2:", ":49", "", "zz:top", "49::96", Array(22).fill("ab").join(":")]) {
      assert.equal(await run(leaf(serial)), "deny", serial);
    }
    assert.equal(await run(leaf("49:96:02:d2")), "deny", "the documented form of 1234567890 is found");
    assert.equal(await connectionFunction(new Set())(leaf(Array(21).fill("ab").join(":"))), "allow", "21 octets (a 20-octet positive serial with its 00 byte) is read");
  });

  it("fails closed: no serial, a non-string serial, an unreadable store, or any answer but an explicit false means deny", async () => {
    const run = connectionFunction(new Set());
    assert.equal(await run({}), "deny");
    assert.equal(await run(leaf(42 as unknown as string)), "deny");
    assert.equal(await run(leaf(undefined)), "deny");
    assert.equal(await connectionFunction("broken")(leaf("ab:cd")), "deny");
    for (const answer of [undefined, null, 0, "", "false", {}, 1]) assert.equal(await connectionFunction({ answer })(leaf("ab:cd")), "deny", `exists() answered ${JSON.stringify(answer)}`);
    assert.equal(await connectionFunction({ answer: false })(leaf("ab:cd")), "allow");
  });

  it("fits CloudFront's 10 KB function size limit", () => {
    assert.ok(Buffer.byteLength(connectionFunctionSource()) <= 10 * 1024, `${Buffer.byteLength(connectionFunctionSource())} bytes`);
  });
});

describe("functions: revocation-sync", function () {
  this.timeout(60_000);
  const at = new Date("2026-01-01T00:00:00Z");

  it("plans puts (new revocations) then deletes, each in key order, so a sync cut short resumes by position", () => {
    const changes = planChanges(new Set(["b", "a", "x"]), new Map([["x", at], ["d", at], ["c", at]]));
    assert.deepEqual(changes, [{ put: "c" }, { put: "d" }, { delete: "a" }, { delete: "b" }]);
    assert.deepEqual([...applyChanges(["b", "a", "x"], changes, 2)].sort(), ["a", "b", "c", "d", "x"]);
    assert.deepEqual([...applyChanges(["b", "a", "x"], changes)].sort(), ["c", "d", "x"]);
    // Only when the store could not hold both sets at once do the deletes go first.
    const tight = planChanges(new Set(["b", "a", "x"]), new Map([["x", at], ["d", at], ["c", at]]), STORE_RESERVE_BYTES + 4);
    assert.deepEqual(tight, [{ delete: "a" }, { delete: "b" }, { put: "c" }, { put: "d" }]);
  });

  it("a new revocation reaches the store in the first UpdateKeys, ahead of pruning a whole CRL of expired entries", async () => {
    const { store, publish, deps, memory } = await syncSetup();
    await publish(1, serials(200));
    await sync({}, deps());
    const revokedNow = normaliseSerial(randomSerialHex());
    await publish(2, [revokedNow]); // the 200 have expired and were pruned; one certificate was just revoked
    delete memory.last;
    const first = await sync({}, deps({ budgetMs: 0 })); // one UpdateKeys, as when a run is cut short
    assert.equal(first.complete, false);
    assert.ok(store.items.has(revokedNow), "the new revocation is at the edge after the first call");
    while (!(await sync({}, deps({ budgetMs: 0 }))).complete);
    assert.deepEqual(storedSerials(store), [revokedNow]);
  });

  it("keeps the marker readable and ignores anything else stored under its key", () => {
    const ref = { n: 7n, id: "v7", h: "aGFzaA==", t: at.toISOString() };
    const largest = { ...ref, n: 2n ** 159n - 1n }; // the largest 20-octet CRL number (RFC 5280 §5.2.3)
    for (const marker of [{ state: "synced", crl: ref }, { state: "synced", crl: largest }, { state: "syncing", from: null, to: ref, applied: 49 }, { state: "syncing", from: { ...ref, n: null, id: null }, to: largest, applied: 0 }] as Marker[]) {
      assert.deepEqual(decodeMarker(encodeMarker(marker)), marker);
      assert.ok(Buffer.byteLength(encodeMarker(marker)) < 1024, "well under CloudFront's 1 KB value limit");
    }
    assert.equal(JSON.parse(encodeMarker({ state: "synced", crl: largest })).crl.n, (2n ** 159n - 1n).toString(), "stored as exact decimal text");
    assert.deepEqual(decodeMarker('{"v":1,"crl":{"n":7,"id":"v7","h":"x","t":"y"}}'), { state: "synced", crl: { n: 7n, id: "v7", h: "x", t: "y" } }, "a marker written with a JSON number is still read");
    const junkRef = (n: string) => `{"v":1,"crl":{"n":${n},"id":null,"h":"x","t":"y"}}`;
    for (const junk of [undefined, "", "{", "null", '{"v":2,"crl":{}}', '{"v":1,"crl":{"n":"7"}}', '{"v":1,"to":{"n":1,"id":null,"h":"x","t":"y"},"applied":-1}', junkRef('"07"'), junkRef('"-1"'), junkRef('"1e3"'), junkRef("-1"), junkRef("1.5"), junkRef("9007199254740993"), junkRef(`"${"9".repeat(50)}"`)]) {
      assert.equal(decodeMarker(junk), undefined, String(junk));
    }
    assert.ok(!/^[0-9a-f]+$/.test(MARKER_KEY), "the marker key can never be a serial");
  });

  /** An issuing CA, a versioned CRL object, a store, and a sync over them. */
  async function syncSetup() {
    const ca = await makeTestCa();
    const versions: Uint8Array[] = [];
    const s3Calls: string[] = [];
    const store = new MemoryKeyValueStore();
    const memory: SyncMemory = {};
    const fetchCrl = async (versionId?: string) => {
      s3Calls.push(versionId ?? "latest");
      const index = versionId === undefined ? versions.length - 1 : Number(versionId.slice(1)) - 1;
      if (!versions[index]) throw new Error(`NoSuchVersion ${versionId}`);
      return { body: versions[index]!, versionId: `v${index + 1}` };
    };
    const publish = async (crlNumber: number | bigint, serials: readonly string[], thisUpdate = new Date()) => {
      const crl = await buildCrl(ca.issuing, { crlNumber, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + 3600_000), entries: serials.map((serialHex) => ({ serialHex, revokedAt: thisUpdate, reason: "keyCompromise" as const, notAfter: new Date(thisUpdate.getTime() + 86400_000) })) });
      versions.push(crl.der);
      return crl;
    };
    const deps = (overrides: Partial<SyncDeps> = {}): SyncDeps => ({ fetchCrl, issuingCaPem: ca.issuingPem, store, clock: () => new Date(), log: silent, memory, ...overrides });
    return { ca, store, memory, s3Calls, publish, deps, versions };
  }
  const serials = (n: number) => Array.from({ length: n }, () => randomSerialHex());
  const storedSerials = (store: MemoryKeyValueStore) => [...store.items.keys()].filter((k) => k !== MARKER_KEY).sort();

  it("loads, then diffs against the CRL it last synced: unchanged costs 2 store calls, one revocation 3, from a cold container too", async () => {
    const { store, memory, s3Calls, publish, deps } = await syncSetup();
    const first = serials(120);
    await publish(1, first);
    const loaded = await sync({}, deps());
    assert.deepEqual({ ...loaded, storeBytes: undefined }, { crlNumber: "1", revoked: 120, added: 120, removed: 0, complete: true, storeBytes: undefined });
    assert.deepEqual(storedSerials(store), first.map((s) => normaliseSerial(s)).sort());
    assert.ok([...store.items.entries()].every(([k, v]) => k === MARKER_KEY || v === ""), "serials are stored with empty values");
    assert.deepEqual(store.calls, { describe: 1, get: 1, listKeys: 1, update: 3 }, "ceil(120 / 49) UpdateKeys: 49 serials and the marker each");

    const before = store.totalCalls;
    const unchanged = await sync({}, deps());
    assert.deepEqual([unchanged.added, unchanged.removed, store.totalCalls - before], [0, 0, 2]);

    const oneNew = [...first, ...serials(1)];
    await publish(2, oneNew);
    const warm = store.totalCalls;
    const added = await sync({}, deps());
    assert.deepEqual([added.added, added.removed, store.totalCalls - warm], [1, 0, 3]);

    // A cold container: nothing in memory, the previous CRL comes from its S3 version.
    delete memory.last;
    const dropped = oneNew.slice(1);
    await publish(3, [...dropped, ...serials(2)]);
    s3Calls.length = 0;
    const cold = store.totalCalls;
    const changed = await sync({}, deps());
    assert.deepEqual([changed.added, changed.removed, store.totalCalls - cold], [2, 1, 3]);
    assert.deepEqual(s3Calls, ["latest", "v2"], "the current CRL and the synced one, by version");
    assert.equal(storedSerials(store).length, 122);
    assert.equal(JSON.parse(store.items.get(MARKER_KEY)!).crl.n, "3");
  });

  it("refuses a CRL older than the one the store holds, and CRLs the CA did not sign or that are stale, without touching the store", async () => {
    const { ca, store, publish, deps, versions } = await syncSetup();
    const now = new Date();
    await publish(5, serials(3), now);
    await sync({}, deps());
    const snapshot = new Map(store.items);
    const older = await buildCrl(ca.issuing, { crlNumber: 4, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries: [] });
    versions.push(older.der);
    await assert.rejects(sync({}, deps()), (error: SyncError) => error.code === "CRL_ROLLBACK" && /number 4 is older than CRL number 5/.test(error.message));
    assert.deepEqual(store.items, snapshot);
    const forged = await buildCrl((await makeTestCa({ name: "Forger" })).issuing, { crlNumber: 9, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries: [] });
    versions.push(forged.der);
    await assert.rejects(sync({}, deps()), { code: "CRL_INVALID" });
    versions.push(versions[0]!);
    await assert.rejects(sync({}, deps({ clock: () => new Date(now.getTime() + 7200_000) })), { code: "CRL_STALE" });
    assert.deepEqual(store.items, snapshot, "refused CRLs changed nothing");
  });

  it("a marker claiming a CRL number the CA never signed (forged by someone who can write the store) does not block the sync forever", async () => {
    const { store, publish, deps } = await syncSetup();
    const now = new Date();
    const revoked = serials(5).map((s) => normaliseSerial(s));
    await publish(5, revoked, now);
    await sync({}, deps());
    const genuine = JSON.parse(store.items.get(MARKER_KEY)!);
    // The marker now claims CRL number 10^40 for the same S3 version and hash; a revoked serial is gone too.
    store.items.set(MARKER_KEY, JSON.stringify({ ...genuine, crl: { ...genuine.crl, n: (10n ** 40n).toString() } }));
    store.items.delete(revoked[0]!);
    const errors: string[] = [];
    const repaired = await sync({}, deps({ log: { ...silent, error: (event: string) => errors.push(event) } }));
    assert.equal(repaired.complete, true);
    assert.deepEqual(storedSerials(store), [...revoked].sort(), "listed and repaired");
    assert.equal(JSON.parse(store.items.get(MARKER_KEY)!).crl.n, "5");
    assert.deepEqual(errors, ["revocation-sync.marker_unverifiable"]);
    // A marker that is what it says still refuses an older CRL, and so does one that cannot be checked now.
    await publish(4, revoked, now);
    await assert.rejects(sync({}, deps()), { code: "CRL_ROLLBACK" });
    const unreachable = async (versionId?: string) => {
      if (versionId === undefined) return deps().fetchCrl();
      throw Object.assign(new Error("S3 GetObject: 503 SlowDown"), { name: "SlowDown" });
    };
    await assert.rejects(sync({}, deps({ fetchCrl: unreachable })), { name: "SlowDown" });
    const missing = async (versionId?: string) => {
      if (versionId === undefined) return deps().fetchCrl();
      throw Object.assign(new Error("S3 GetObject: 404 NoSuchVersion"), { name: "NoSuchVersion" });
    };
    assert.equal((await sync({}, deps({ fetchCrl: missing }))).crlNumber, "4", "a marker naming a version S3 never held is not believed");
  });

  it("a run cut short by its time budget or a crash leaves a marker that says exactly what the store holds; the next run finishes", async () => {
    const { store, memory, publish, deps } = await syncSetup();
    const first = serials(300);
    await publish(1, first);
    await sync({}, deps());
    const target = [...first.slice(100), ...serials(150)];
    await publish(2, target);
    delete memory.last;
    // Crash on the third UpdateKeys call.
    const updatesBefore = store.calls.update;
    store.beforeUpdate = (call) => {
      if (call === updatesBefore + 3) throw new Error("Lambda timed out");
    };
    await assert.rejects(sync({}, deps()), /timed out/);
    store.beforeUpdate = undefined;
    const checkMarker = () => {
      const marker = decodeMarker(store.items.get(MARKER_KEY))!;
      if (marker.state === "synced") return marker;
      assert.equal(marker.from!.n, 1n);
      const expected = applyChanges(first.map((s) => normaliseSerial(s)), planChanges(new Set(first.map((s) => normaliseSerial(s))), new Set(target.map((s) => normaliseSerial(s)))), marker.applied);
      assert.deepEqual(storedSerials(store), [...expected].sort(), `the store is exactly what the marker says after ${marker.applied} changes`);
      return marker;
    };
    assert.equal(checkMarker().state, "syncing");
    // Then runs with no time budget at all: one UpdateKeys each, always consistent, until done.
    let runs = 0;
    while (!(await sync({}, deps({ budgetMs: 0 }))).complete) {
      checkMarker();
      runs++;
    }
    assert.ok(runs >= 2, `${runs} partial runs`);
    assert.equal(checkMarker().state, "synced");
    assert.deepEqual(storedSerials(store), target.map((s) => normaliseSerial(s)).sort());
  });

  it("concurrent runs cannot interleave their writes: the loser fails, the store stays exact, the next run completes", async () => {
    const { store, publish, deps, memory } = await syncSetup();
    await publish(1, serials(200));
    await sync({}, deps());
    const target = serials(400);
    await publish(2, target);
    delete memory.last;
    const results = await Promise.allSettled([sync({}, deps({ memory: {} })), sync({}, deps({ memory: {} }))]);
    assert.ok(results.some((r) => r.status === "rejected" && (r.reason as SyncError).code === "STORE_CHANGED"), JSON.stringify(results.map((r) => r.status)));
    while (!(await sync({}, deps())).complete);
    assert.deepEqual(storedSerials(store), target.map((s) => normaliseSerial(s)).sort());
  });

  it("at 100,000 revoked serials, real CRLs read by the streaming reader: first load ~n/49 UpdateKeys, unchanged 2 calls, one new 3, under 5 MB; refuses a CRL the store cannot hold before writing", async () => {
    const { store, publish, deps } = await syncSetup();
    const big = serials(100_000);
    await publish(1, big);
    const first = await sync({}, deps());
    assert.equal(first.added, 100_000);
    assert.deepEqual(store.calls, { describe: 1, get: 1, listKeys: 1, update: Math.ceil(100_000 / 49) });
    assert.ok(store.bytes <= 5_000_000, `${store.bytes} bytes`);
    let calls = store.totalCalls;
    await sync({}, deps());
    assert.equal(store.totalCalls - calls, 2);
    await publish(2, [...big, randomSerialHex()]);
    calls = store.totalCalls;
    assert.equal((await sync({}, deps())).added, 1);
    assert.equal(store.totalCalls - calls, 3);
    await publish(3, serials(130_000));
    const snapshot = store.bytes;
    await assert.rejects(sync({}, deps()), (error: SyncError) => error.code === "STORE_TOO_SMALL" && /130000 serials/.test(error.message));
    assert.equal(store.bytes, snapshot);
  });

  it("compares CRL numbers exactly past 2^53 (a 20-octet number is allowed) and reports them as exact decimal text", async () => {
    const { store, publish, deps } = await syncSetup();
    const now = new Date();
    // 2^53 + 1 and 2^53 are the same JavaScript number: only an exact comparison tells them apart.
    await publish(2n ** 53n + 1n, serials(2), now);
    const synced = await sync({}, deps());
    assert.equal(synced.crlNumber, "9007199254740993");
    assert.equal(JSON.parse(store.items.get(MARKER_KEY)!).crl.n, "9007199254740993");
    const snapshot = new Map(store.items);
    await publish(2n ** 53n, serials(1), now);
    await assert.rejects(sync({}, deps()), (error: SyncError) => error.code === "CRL_ROLLBACK" && /number 9007199254740992 is older than CRL number 9007199254740993/.test(error.message));
    assert.deepEqual(store.items, snapshot, "the older CRL changed nothing");
    const largest = 2n ** 159n - 1n; // the largest CRL number of 20 octets
    await publish(largest, serials(1), now);
    assert.equal((await sync({}, deps())).crlNumber, largest.toString());
    const marker = decodeMarker(store.items.get(MARKER_KEY));
    assert.equal(marker?.state === "synced" ? marker.crl.n : undefined, largest);
  });

  it("notices keys changed behind its back (the key count is not what the marker implies) and repairs the store by listing it", async () => {
    const { store, publish, deps } = await syncSetup();
    const revoked = serials(60).map((s) => normaliseSerial(s));
    await publish(1, revoked);
    await sync({}, deps());
    store.items.delete(revoked[7]!); // someone deleted a revoked serial by hand
    const repaired = await sync({}, deps());
    assert.deepEqual([repaired.added, repaired.removed], [1, 0]);
    assert.ok(store.items.has(revoked[7]!));
    assert.ok(store.calls.listKeys >= 2, "listed to find out");
    const calls = store.totalCalls;
    await sync({}, deps());
    assert.equal(store.totalCalls - calls, 2, "then back to two calls a run");
  });

  it("lists the store once a day even when the key count looks right, so a swap that keeps the count (a revoked serial deleted, another key added) is repaired", async () => {
    const { store, publish, deps } = await syncSetup();
    const revoked = serials(60).map((s) => normaliseSerial(s));
    const t0 = new Date();
    await publish(1, revoked, t0);
    await sync({}, deps({ clock: () => t0 }));
    store.items.delete(revoked[7]!); // someone with write access deletes a revoked serial
    store.items.set("junk", ""); //      and adds a key, so the count is what the marker implies
    const later = new Date(t0.getTime() + 3600_000 - 60_000);
    let calls = store.totalCalls;
    await sync({}, deps({ clock: () => later }));
    assert.equal(store.totalCalls - calls, 2, "within the day: the cheap check only");
    const dayLater = new Date(t0.getTime() + 24 * 3600_000);
    const revokedToday = normaliseSerial(randomSerialHex());
    await publish(2, [...revoked, revokedToday], dayLater);
    // The audit comes after the sync and only in the time left: with none left, the new revocation is
    // still written, and the listing waits for the next run.
    const infos: string[] = [];
    const noTime = await sync({}, deps({ clock: () => dayLater, budgetMs: 0, log: { ...silent, info: (event: string) => infos.push(event) } }));
    assert.deepEqual([noTime.added, noTime.complete], [1, true]);
    assert.ok(store.items.has(revokedToday) && !store.items.has(revoked[7]!));
    assert.ok(infos.includes("revocation-sync.audit_incomplete"), infos.join());
    const audited = await sync({}, deps({ clock: () => dayLater }));
    assert.deepEqual([audited.added, audited.removed], [1, 1]);
    assert.ok(store.items.has(revoked[7]!) && !store.items.has("junk"), "repaired by listing");
    calls = store.totalCalls;
    await sync({}, deps({ clock: () => new Date(dayLater.getTime() + 60_000) }));
    assert.equal(store.totalCalls - calls, 2, "then two calls a run again for a day");
    // A marker claiming an audit in the future is not believed.
    const marker = JSON.parse(store.items.get(MARKER_KEY)!);
    store.items.set(MARKER_KEY, JSON.stringify({ ...marker, a: new Date(dayLater.getTime() + 365 * 24 * 3600_000).toISOString() }));
    const listsBefore = store.calls.listKeys;
    await sync({}, deps({ clock: () => new Date(dayLater.getTime() + 120_000) }));
    assert.ok(store.calls.listKeys > listsBefore, "listed");
  });

  it("emits the store's size as CloudFront reports it, for the overflow alarm", async () => {
    const { publish, deps, store } = await syncSetup();
    await publish(1, serials(10));
    const metrics: [string, string, number][] = [];
    const log = { ...silent, metric: (ns: string, name: string, value: number) => metrics.push([ns, name, value]) };
    await sync({}, deps({ log }));
    await sync({}, deps({ log }));
    assert.deepEqual(metrics, [[STORE_METRIC.namespace, STORE_METRIC.name, store.bytes], [STORE_METRIC.namespace, STORE_METRIC.name, store.bytes]]);
  });

  it("sends empty values on the wire (the service model gives keys a minimum length of 1 and values none), signed with SigV4A", async () => {
    let captured: { hostname: string; path: string; headers: Record<string, string>; body: string | Uint8Array } | undefined;
    const client = new CloudFrontKeyValueStoreClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      maxAttempts: 1,
      requestHandler: { handle: async (request: any) => ((captured = request), Promise.reject(new Error("captured"))) } as any,
    });
    await assert.rejects(new KeyValueStoreSerials(client, "arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d").update("etag-1", [{ key: "4c09", value: REVOKED_VALUE }], []), /captured/);
    // The SDK may hand the handler bytes; decoding them (not calling string methods on them) is what a real handler does.
    const body = captured!.body;
    assert.deepEqual(JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body)), { Puts: [{ Key: "4c09", Value: "" }] });
    assert.equal(captured!.headers["if-match"], "etag-1");
    assert.equal(captured!.hostname, "123456789012.cloudfront-kvs.global.api.aws");
    assert.match(captured!.headers.authorization!, /^AWS4-ECDSA-P256-SHA256 /);
    assert.equal(captured!.headers["x-amz-region-set"], "*");
  });

  it("drives the KeyValueStore API: Describe, GetKey (absent is undefined), ListKeys by 50, UpdateKeys on the ETag", async () => {
    const kvs = mockClient(CloudFrontKeyValueStoreClient);
    try {
      kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e0", TotalSizeInBytes: 42, ItemCount: 3 });
      kvs.on(GetKeyCommand, { Key: MARKER_KEY }).resolves({ Key: MARKER_KEY, Value: "m" });
      kvs.on(GetKeyCommand, { Key: "absent" }).rejects(Object.assign(new Error("not found"), { name: "ResourceNotFoundException" }));
      kvs.on(ListKeysCommand).resolvesOnce({ Items: [{ Key: "a", Value: "" }], NextToken: "t" }).resolvesOnce({ Items: [{ Key: "b", Value: "" }] }).resolves({ Items: [{ Key: "c", Value: "" }], NextToken: "more" });
      kvs.on(UpdateKeysCommand).resolves({ ETag: "e1", TotalSizeInBytes: 7 });
      const store = new KeyValueStoreSerials(new CloudFrontKeyValueStoreClient({ region: "us-east-1" }), "arn:aws:cloudfront::1:key-value-store/x");
      assert.deepEqual(await store.describe(), { etag: "e0", bytes: 42, items: 3 });
      assert.equal(await store.get(MARKER_KEY), "m");
      assert.equal(await store.get("absent"), undefined);
      assert.deepEqual([...(await store.listKeys())!], ["a", "b"]);
      assert.deepEqual(kvs.commandCalls(ListKeysCommand).map((c) => [c.args[0].input.MaxResults, c.args[0].input.NextToken]), [[50, undefined], [50, "t"]]);
      let asked = 0;
      assert.equal(await store.listKeys(() => asked++ >= 1), undefined, "gives up when told to stop, between pages");
      assert.equal(kvs.commandCalls(ListKeysCommand).length, 3);
      assert.deepEqual(await store.update("e0", [{ key: "k", value: "" }], ["a"]), { etag: "e1", bytes: 7 });
      assert.deepEqual(kvs.commandCalls(UpdateKeysCommand)[0]!.args[0].input, { KvsARN: "arn:aws:cloudfront::1:key-value-store/x", IfMatch: "e0", Puts: [{ Key: "k", Value: "" }], Deletes: [{ Key: "a" }] });
    } finally {
      kvs.restore();
    }
  });
});

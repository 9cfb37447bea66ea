import { strict as assert } from "node:assert";
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, ListKeysCommand, UpdateKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { handle as backend } from "../../functions/api-backend";
import { handle as sync, KeyValueStoreSerials, plan, RevokedSerialStore } from "../../functions/revocation-sync";
import { buildCrl } from "../../pki/crl";
import { connectionFunctionSource } from "../../functions/connection-function/source";
import { loadConnectionFunction } from "../../rehearsal/connection-function";
import { issueLeaf, makeTestCa } from "../support/test-ca";

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
  this.timeout(30_000);

  it("plans exactly the puts and deletes that make the store equal the CRL", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    assert.deepEqual(plan(new Set(["a", "b"]), new Map([["b", at], ["c", at]])), { puts: [{ key: "c", value: at.toISOString() }], deletes: ["a"] });
  });

  it("syncs a verified CRL into the store, and refuses a CRL the CA did not sign without touching the store", async () => {
    const ca = await makeTestCa();
    const revoked = await issueLeaf(ca);
    const now = new Date();
    const crl = await buildCrl(ca.issuing, { crlNumber: 3, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries: [{ serialHex: revoked.certificate.serialHex, revokedAt: now, reason: "keyCompromise", notAfter: revoked.certificate.notAfter }] });
    const keys = new Set(["stale-serial"]);
    const updates: unknown[] = [];
    const store: RevokedSerialStore = {
      list: async () => ({ keys: new Set(keys), etag: "etag-1" }),
      update: async (etag, puts, deletes) => {
        updates.push({ etag, puts: puts.map((p) => p.key), deletes });
        puts.forEach((p) => keys.add(p.key));
        deletes.forEach((d) => keys.delete(d));
      },
    };
    const result = await sync({}, { fetchCrl: async () => crl.der, issuingCaPem: ca.issuingPem, store, clock: () => now, log: silent });
    assert.deepEqual(result, { revoked: 1, added: 1, removed: 1 });
    assert.deepEqual([...keys], [revoked.certificate.serialHex]);
    assert.deepEqual(await sync({}, { fetchCrl: async () => crl.der, issuingCaPem: ca.issuingPem, store, clock: () => now, log: silent }), { revoked: 1, added: 0, removed: 0 });
    const forged = await buildCrl((await makeTestCa({ name: "Forger" })).issuing, { crlNumber: 9, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries: [] });
    await assert.rejects(sync({}, { fetchCrl: async () => forged.der, issuingCaPem: ca.issuingPem, store, clock: () => now, log: silent }), { code: "CRL_INVALID" });
    await assert.rejects(sync({}, { fetchCrl: async () => crl.der, issuingCaPem: ca.issuingPem, store, clock: () => new Date(now.getTime() + 7200_000), log: silent }), { code: "CRL_STALE" });
    assert.deepEqual([...keys], [revoked.certificate.serialHex], "refused CRLs changed nothing");
    assert.equal(updates.length, 1);
  });

  it("drives the KeyValueStore API: paginated listing, batches of 50 chained on ETags", async () => {
    const kvs = mockClient(CloudFrontKeyValueStoreClient);
    try {
      kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e0" });
      kvs.on(ListKeysCommand).resolvesOnce({ Items: [{ Key: "a", Value: "x" }], NextToken: "t" }).resolvesOnce({ Items: [{ Key: "b", Value: "y" }] });
      let n = 0;
      kvs.on(UpdateKeysCommand).callsFake(async () => ({ ETag: `e${++n}` }));
      const store = new KeyValueStoreSerials(new CloudFrontKeyValueStoreClient({ region: "us-east-1" }), "arn:aws:cloudfront::1:key-value-store/x");
      const listed = await store.list();
      assert.deepEqual([[...listed.keys], listed.etag], [["a", "b"], "e0"]);
      await store.update("e0", Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: "v" })), ["a"]);
      const calls = kvs.commandCalls(UpdateKeysCommand).map((c) => c.args[0].input);
      assert.deepEqual(calls.map((c) => [c.IfMatch, c.Puts!.length, c.Deletes!.length]), [["e0", 50, 0], ["e1", 10, 1]]);
    } finally {
      kvs.restore();
    }
  });
});

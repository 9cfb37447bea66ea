import { strict as assert } from "node:assert";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { csvField, toCsv } from "../../cli/csv";
import { handle as inventoryHandle } from "../../functions/ca-inventory";
import { certificateItem, CertificateRecord, DynamoCaStore } from "../../functions/shared/ca-store";
import { DynamoInventory } from "../../functions/shared/inventory";
import { jsonLogger } from "../../functions/shared/log";
import type { InventoryEntry } from "../../pki/inventory-query";
import { LocalCa } from "../../pki/local-ca";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey } from "../../pki/local-signer";
import { MotoDynamo, startMotoDynamo } from "../support/moto-dynamodb";
import { runCli as cli } from "../support/run-cli";
import { makeTestCa } from "../support/test-ca";
import { tempDir, tool } from "../support/tools";

const DAY = 86400_000;
/** Python's csv module, a parser nobody here wrote, reads what we write. */
const parseCsv = (text: string): string[][] => {
  const result = tool("python3", ["-c", "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin))))"], { input: text });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
};

describe("cli: cert list", function () {
  this.timeout(120_000);

  it("CSV fields: RFC 4180 quoting, and cells a spreadsheet would run as formulas start with '", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField('a,b "c"'), '"a,b ""c"""');
    assert.equal(csvField("line\nbreak"), '"line\nbreak"');
    for (const formula of ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) assert.equal(csvField(formula).replace(/^"|"$/g, "").startsWith("'"), true, formula);
    const text = toCsv(["a", "b"], [["=cmd|' /C calc'!A0", 'x,"y"\r\nz']]);
    assert.deepEqual(parseCsv(text), [["a", "b"], ["'=cmd|' /C calc'!A0", 'x,"y"\r\nz']]);
  });

  describe("a local CA (--ca-dir)", () => {
    const work = tempDir();
    after(work.cleanup);
    const dir = () => join(work.dir, "ca");

    before(async () => {
      const ca = await LocalCa.init(dir());
      const issue = (commonName: string, lifetimeDays: number, daysAgo = 0) =>
        ca.issue({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName, organizationalUnit: "Ops" }), purposes: ["client_auth"], lifetimeDays }, new Date(Date.now() - daysAgo * DAY));
      await issue("user-alpha", 90);
      await issue("user-beta", 10);
      await issue("Quote \"and\", comma", 20);
      await issue("old-expired", 1, 5);
      const revoked = await issue("user-gamma", 30);
      ca.revoke(revoked.serialHex, "keyCompromise");
    });

    const rows = async (...args: string[]) => {
      const result = await cli(work.dir, "cert", "list", "--ca-dir", "ca", "--json", ...args);
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as InventoryEntry[]).map((e) => `${e.subject} ${e.status}`);
    };

    it("filters by status, expiry window and subject glob (DN or CN), soonest expiry first", async () => {
      assert.deepEqual(await rows(), ["CN=old-expired,OU=Ops expired", "CN=user-beta,OU=Ops valid", 'CN=Quote \\"and\\"\\, comma,OU=Ops valid', "CN=user-gamma,OU=Ops revoked", "CN=user-alpha,OU=Ops valid"]);
      assert.deepEqual(await rows("--status", "valid"), ["CN=user-beta,OU=Ops valid", 'CN=Quote \\"and\\"\\, comma,OU=Ops valid', "CN=user-alpha,OU=Ops valid"]);
      assert.deepEqual(await rows("--status", "revoked"), ["CN=user-gamma,OU=Ops revoked"]);
      assert.deepEqual(await rows("--status", "expired"), ["CN=old-expired,OU=Ops expired"]);
      assert.deepEqual(await rows("--expiring-within", "25"), ["CN=user-beta,OU=Ops valid", 'CN=Quote \\"and\\"\\, comma,OU=Ops valid']);
      assert.deepEqual(await rows("--subject", "user-*", "--status", "valid"), ["CN=user-beta,OU=Ops valid", "CN=user-alpha,OU=Ops valid"]);
      assert.deepEqual(await rows("--subject", "CN=user-?eta,OU=*"), ["CN=user-beta,OU=Ops valid"]);
    });

    it("prints a table by default and CSV with --csv that Python's csv module reads back exactly", async () => {
      const table = await cli(work.dir, "cert", "list", "--ca-dir", "ca", "--status", "valid");
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^SERIAL +STATUS +NOT AFTER +SUBJECT/);
      assert.match(table.stdout, /3 certificates\n$/);
      const csv = await cli(work.dir, "cert", "list", "--ca-dir", "ca", "--csv", "--subject", "Quote*");
      const parsed = parseCsv(csv.stdout);
      assert.deepEqual(parsed[0], ["serial", "status", "notBefore", "notAfter", "subject", "sans", "purposes", "requester", "revokedAt", "reason"]);
      assert.equal(parsed.length, 2);
      assert.equal(parsed[1]![4], 'CN=Quote \\"and\\"\\, comma,OU=Ops');
      assert.equal(parsed[1]![6], "client_auth");
    });

    it("lists the SANs a local CA certified, as the deployed inventory records them", async () => {
      const ca = await LocalCa.init(join(work.dir, "servers"));
      await ca.issue({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "api" }), purposes: ["server_auth"], sans: ["api.example.com", "10.0.0.1"] });
      const result = await cli(work.dir, "cert", "list", "--ca-dir", "servers", "--json");
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((JSON.parse(result.stdout) as InventoryEntry[]).map((e) => e.sans), [["dns:api.example.com", "ip:10.0.0.1"]]);
      const csv = parseCsv((await cli(work.dir, "cert", "list", "--ca-dir", "servers", "--csv")).stdout);
      assert.equal(csv[1]![5], "dns:api.example.com; ip:10.0.0.1");
    });

    it("refuses bad flags with the flag and what is allowed (exit 2), and an empty directory with the CA error", async () => {
      const cases: [string[], RegExp][] = [
        [["--status", "active"], /--status must be one of valid, revoked, expired; got "active"/],
        [["--expiring-within", "soon"], /--expiring-within must be a whole number of days from 0 to 36525/],
        [["--expiring-within", "7", "--status", "expired"], /--expiring-within lists certificates that have not expired yet; it cannot be combined with --status expired/],
        [["--json", "--csv"], /give --json or --csv, not both/],
        [["--region", "eu-west-2"], /--region goes with --ca-function/],
      ];
      for (const [args, message] of cases) {
        const result = await cli(work.dir, "cert", "list", "--ca-dir", "ca", ...args);
        assert.equal(result.code, 2, args.join(" "));
        assert.match(result.stderr, message);
      }
      const neither = await cli(work.dir, "cert", "list");
      assert.equal(neither.code, 2);
      const empty = await cli(work.dir, "cert", "list", "--ca-dir", "nowhere");
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /^edge-mtls: error CA_NOT_INITIALISED \(caDir\)/);
    });
  });

  describe("the deployed CA (--ca-function): through ca-inventory on moto's DynamoDB", () => {
    let moto: MotoDynamo;
    let lambda: { restore(): void } | undefined;
    const work = tempDir();
    let refuseNext = false;
    const invoked: Record<string, unknown>[] = [];
    const now = new Date();

    before(async () => {
      moto = await startMotoDynamo();
      await moto.createInventoryTable("deployed");
      const store = new DynamoCaStore(moto.documents, "deployed");
      const ca = await makeTestCa({ now: new Date(now.getTime() - 400 * DAY) });
      await store.createCa({ role: "root", certificatePem: ca.rootPem, serialHex: "01", notAfter: "2046-01-01T00:00:00.000Z", crlNumber: 1 });
      await store.createCa({ role: "issuing", certificatePem: ca.issuingPem, serialHex: "02", notAfter: "2036-01-01T00:00:00.000Z", crlNumber: 1 });
      // 1,100 certificates expiring within 20 days: more than one page of ca-inventory.
      const records: CertificateRecord[] = Array.from({ length: 1100 }, (_, i) => ({
        serialHex: (0x400000 + i).toString(16).padStart(40, "5"),
        serialDecimal: String(i),
        subject: `CN=device-${i},OU=Fleet`,
        sans: [],
        purposes: ["client_auth"],
        notBefore: new Date(now.getTime() - 30 * DAY).toISOString(),
        notAfter: new Date(now.getTime() + ((i % 20) + 0.5) * DAY).toISOString(),
        certificatePem: "-",
        requestId: `r${i}`,
        status: "valid",
        idempotencyKey: `fleet.device-${i % 3}.initial.${"D".repeat(43)}`,
      }));
      await moto.load("deployed", records.map(certificateItem));
      const inventory = new DynamoInventory(moto.documents, "deployed");
      const mock = mockClient(LambdaClient);
      lambda = mock;
      mock.on(InvokeCommand).callsFake(async (input) => {
        const request = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8"));
        invoked.push({ function: input.FunctionName, ...request });
        const refusal = { error: { code: "REQUEST_INVALID", message: "subject must be a non-empty glob", field: "subject" } };
        const answer = refuseNext ? refusal : await inventoryHandle(request, { inventory, clock: () => now, log: jsonLogger(() => undefined) });
        refuseNext = false;
        return { StatusCode: 200, Payload: new Uint8Array(Buffer.from(JSON.stringify(answer))) };
      });
    });
    after(() => {
      lambda?.restore();
      moto?.stop();
      work.cleanup();
    });

    it("follows ca-inventory's pages to the end and says how many items the inventory read", async () => {
      const result = await cli(work.dir, "cert", "list", "--ca-function", "edge-mtls-dev-ca-inventory", "--region", "eu-west-2", "--expiring-within", "10");
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split("\n");
      assert.match(lines.at(-1)!, /^550 certificates \(the inventory read 550 items\)$/);
      assert.equal(invoked.filter((r) => r.function === "edge-mtls-dev-ca-inventory").length, 1);
      const all = await cli(work.dir, "cert", "list", "--ca-function", "edge-mtls-dev-ca-inventory", "--region", "eu-west-2", "--json", "--status", "valid");
      const entries = JSON.parse(all.stdout) as InventoryEntry[];
      assert.equal(entries.length, 1100);
      assert.equal(new Set(entries.map((e) => e.serialHex)).size, 1100);
      assert.ok(invoked.length >= 3, "the 1,100 valid certificates took more than one page");
      assert.ok(invoked.slice(1).some((r) => typeof r.cursor === "string"));
      assert.deepEqual([...new Set(entries.map((e) => e.requester))].sort(), ["fleet.device-0", "fleet.device-1", "fleet.device-2"]);
    });

    it("subjects a first-build CA certified (escape sequences, C1, bidi override, zero-width, line separator) never reach the terminal in the table; --json keeps them exactly", async () => {
      const hostile = ["CN=\u001b[31mred\u001b[0m\u0007", "CN=\u009b31mcsi", "CN=evil\u202egnp.exe", "CN=zero\u200bwidth", "CN=line\u2028break", "CN=private\ue000use"];
      await moto.load("deployed", hostile.map((subject, i) => certificateItem({
        serialHex: (0x700000 + i).toString(16).padStart(40, "6"),
        serialDecimal: String(i),
        subject,
        sans: [],
        purposes: ["client_auth"],
        notBefore: new Date(now.getTime() - DAY).toISOString(),
        notAfter: new Date(now.getTime() + 300 * DAY).toISOString(),
        certificatePem: "-",
        requestId: `h${i}`,
        status: "valid",
      })));
      const table = await cli(work.dir, "cert", "list", "--ca-function", "edge-mtls-dev-ca-inventory", "--region", "eu-west-2", "--subject", "CN=*", "--status", "valid", "--expiring-within", "365");
      assert.equal(table.code, 0, table.stderr);
      const shown = table.stdout.split("\n").filter((l) => l.startsWith("6"));
      assert.equal(shown.length, hostile.length, table.stdout);
      for (const line of shown) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u200b\u202e\u2028\ue000]/u, JSON.stringify(line));
      assert.ok(shown.some((l) => l.includes("CN=evil?gnp.exe")) && shown.some((l) => l.includes("CN=?[31mred?[0m?")), table.stdout);
      const json = await cli(work.dir, "cert", "list", "--ca-function", "edge-mtls-dev-ca-inventory", "--region", "eu-west-2", "--json", "--expiring-within", "365", "--subject", "CN=*");
      assert.deepEqual((JSON.parse(json.stdout) as InventoryEntry[]).filter((e) => e.serialHex.startsWith("6")).map((e) => e.subject).sort(), [...hostile].sort());
    });

    it("a refusal from ca-inventory prints its code and field (exit 1)", async () => {
      refuseNext = true;
      const result = await cli(work.dir, "cert", "list", "--ca-function", "edge-mtls-dev-ca-inventory", "--region", "eu-west-2");
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^edge-mtls: error REQUEST_INVALID \(subject\): ca-inventory refused: subject must be a non-empty glob/);
    });
  });
});

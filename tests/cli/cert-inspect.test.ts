import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { buildCrl, RevokedEntry } from "../../pki/crl";
import { LocalSigner } from "../../pki/local-signer";
import { randomSerialHex } from "../../pki/serial";
import { opensslGenCrl } from "../support/openssl-ca";
import { runCli as cli } from "../support/run-cli";
import { makeTestCa, TestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

const ENTRIES = 100_000;
const HOUR = 3600_000;

/** What openssl reads from a CRL file: its CRL number (exact, from hex), lastUpdate, nextUpdate. */
function opensslView(path: string, inform: "DER" | "PEM"): { crlNumber?: string; thisUpdate: string; nextUpdate: string } {
  const result = tool("openssl", ["crl", "-inform", inform, "-in", path, "-noout", "-crlnumber", "-lastupdate", "-nextupdate"]);
  assert.equal(result.status, 0, result.output);
  const field = (name: string) => result.stdout.match(new RegExp(`^${name}=(.*)$`, "m"))?.[1];
  const hex = field("crlNumber");
  return {
    crlNumber: hex === undefined || hex === "<NONE>" ? undefined : BigInt(hex.startsWith("0x") ? hex : `0x${hex}`).toString(),
    thisUpdate: new Date(field("lastUpdate")!).toISOString(),
    nextUpdate: new Date(field("nextUpdate")!).toISOString(),
  };
}

describe("cli: cert inspect reads CRLs at 100,000 entries", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);
  let ca: TestCa;
  let now: Date;
  before(async () => {
    ca = await makeTestCa();
    now = new Date();
  });

  it("shows a 100,000-entry CRL, DER and PEM, with a CRL number past 2^64 exactly as openssl reads it", async () => {
    const crlNumber = 2n ** 64n + 1n; // not representable as a JavaScript number
    const entries: RevokedEntry[] = Array.from({ length: ENTRIES }, () => ({ serialHex: randomSerialHex(), revokedAt: now, reason: "keyCompromise", notAfter: new Date(now.getTime() + 30 * 24 * HOUR) }));
    const crl = await buildCrl(ca.issuing, { crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries });
    const der = put(work.dir, "big.crl", crl.der);
    const pem = put(work.dir, "big.crl.pem", crl.pem);
    const openssl = opensslView(der, "DER");
    assert.equal(openssl.crlNumber, "18446744073709551617");
    for (const file of [der, pem]) {
      const run = await cli(work.dir, "cert", "inspect", file, "--json");
      assert.equal(run.code, 0, run.stderr);
      const shown = JSON.parse(run.stdout);
      assert.deepEqual(
        { type: shown.type, version: shown.version, revoked: shown.revoked, crlNumber: shown.crlNumber, thisUpdate: shown.thisUpdate, nextUpdate: shown.nextUpdate },
        { type: "CRL", version: 2, revoked: ENTRIES, crlNumber: openssl.crlNumber, thisUpdate: openssl.thisUpdate, nextUpdate: openssl.nextUpdate },
      );
      assert.equal(shown.issuer, "CN=Test Issuing CA,O=edge-mtls tests");
      assert.match(shown.signature, /not verified/);
      assert.equal(shown.warning, undefined);
    }
    const text = await cli(work.dir, "cert", "inspect", der);
    assert.match(text.stdout, /^crlNumber\s+18446744073709551617$/m);
    assert.match(text.stdout, /^revoked\s+100000$/m);
  });

  it("shows openssl's own CRLs: a 20-octet CRL number, and one without a number, with what our readers would say of it", async () => {
    const caKeyPem = (ca.issuing.signer as LocalSigner).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const revoked = Array.from({ length: 3 }, (_, i) => ({ serialHex: randomBytes(16).toString("hex"), revokedAt: new Date(Math.floor(now.getTime() / 1000) * 1000 - i * 1000), reason: "superseded" }));
    const numberHex = "7f" + "ab".repeat(19);
    const numbered = put(work.dir, "openssl-numbered.crl.pem", opensslGenCrl(join(work.dir), { caKeyPem, caCertPem: ca.issuingPem, revoked, crlNumberHex: numberHex }).pem);
    const shown = JSON.parse((await cli(work.dir, "cert", "inspect", numbered, "--json")).stdout);
    assert.equal(shown.crlNumber, BigInt("0x" + numberHex).toString());
    assert.equal(shown.crlNumber, opensslView(numbered, "PEM").crlNumber);
    assert.equal(shown.revoked, 3);
    const unnumberedDir = tempDir();
    try {
      const unnumbered = put(work.dir, "openssl-unnumbered.crl.pem", opensslGenCrl(unnumberedDir.dir, { caKeyPem, caCertPem: ca.issuingPem, revoked }).pem);
      const old = JSON.parse((await cli(work.dir, "cert", "inspect", unnumbered, "--json")).stdout);
      assert.deepEqual([old.crlNumber, old.revoked], ["(none)", 3]);
      assert.equal(opensslView(unnumbered, "PEM").crlNumber, undefined, "openssl agrees: no CRL number");
      assert.match(old.warning, /refuse this CRL: it has no CRL number/);
    } finally {
      unnumberedDir.cleanup();
    }
  });

  it("shows a CRL it cannot verify (another CA's) as not verified, and refuses broken DER with CRL_MALFORMED naming FILE", async () => {
    const foreign = await makeTestCa({ name: "Elsewhere" });
    const crl = await buildCrl(foreign.issuing, { crlNumber: 3, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [] });
    const shown = JSON.parse((await cli(work.dir, "cert", "inspect", put(work.dir, "foreign.crl.pem", crl.pem), "--json")).stdout);
    assert.deepEqual([shown.issuer, shown.crlNumber, shown.revoked], ["CN=Elsewhere Issuing CA,O=edge-mtls tests", "3", 0]);
    const truncated = Buffer.from(crl.der.subarray(0, crl.der.byteLength - 5));
    const broken = await cli(work.dir, "cert", "inspect", put(work.dir, "broken.crl.pem", `-----BEGIN X509 CRL-----\n${truncated.toString("base64")}\n-----END X509 CRL-----\n`));
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^edge-mtls: error CRL_MALFORMED \(FILE\): FILE: CertificateList: /);
  });
});

describe("cli: cert inspect shows hostile names without letting them act on the terminal", function () {
  this.timeout(60_000);
  const work = tempDir();
  after(work.cleanup);

  it("a certificate whose names hold CR, ESC, bidi and zero-width characters is shown with those escaped (RFC 4514 \\XX), as text and as JSON", async () => {
    // Made by openssl, not by our CA (which refuses such names): what someone might hand an operator to inspect.
    const cn = "evil\r\u001b[2KCN=CloudFront";
    const o = "a\u202eb\u200bc";
    const dns = "x\u001b[1Ay.example.com";
    const made = tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(work.dir, "k.pem"), "-out", join(work.dir, "evil.pem"), "-days", "1", "-utf8", "-subj", `/CN=${cn}/O=${o}`, "-addext", `subjectAltName=DNS:${dns}`]);
    assert.equal(made.status, 0, made.output);
    const text = await cli(work.dir, "cert", "inspect", join(work.dir, "evil.pem"));
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/u, JSON.stringify(text.stdout));
    assert.match(text.stdout, /^subject\s+CN=evil\\0D\\1B\[2KCN\\=CloudFront,O=a\\E2\\80\\AEb\\E2\\80\\8Bc$/m);
    assert.match(text.stdout, /^issuer\s+CN=evil\\0D\\1B/m);
    assert.match(text.stdout, /^subjectAltNames\s+DNS:x\\1B\[1Ay\.example\.com$/m);
    const json = JSON.parse((await cli(work.dir, "cert", "inspect", join(work.dir, "evil.pem"), "--json")).stdout);
    assert.equal(json.subject, "CN=evil\\0D\\1B[2KCN\\=CloudFront,O=a\\E2\\80\\AEb\\E2\\80\\8Bc");
    assert.deepEqual(json.subjectAltNames, ["DNS:x\\1B[1Ay.example.com"]);
  });
});

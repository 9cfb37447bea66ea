import { strict as assert } from "node:assert";
import { randomBytes, sign } from "node:crypto";
import { buildCrl, RevokedEntry } from "../../pki/crl";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { PkiErrorCode } from "../../pki/errors";
import { LocalSigner } from "../../pki/local-signer";
import { toPem } from "../../pki/pem";
import { normaliseSerial } from "../../pki/serial";
import { opensslGenCrl, OpensslRevocation } from "../support/openssl-ca";
import { makeTestCa, TestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

const HOUR = 3600_000;
const ENTRIES = 100_000;

// A small DER composer of our own, independent of pki/der.ts, that can also write what DER forbids.
type Bytes = Uint8Array | readonly number[];
const bytes = (part: Bytes) => (part instanceof Uint8Array ? part : Uint8Array.from(part));
function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}
function tlv(tag: number, ...parts: Bytes[]): Buffer {
  const content = Buffer.concat(parts.map(bytes));
  return Buffer.concat([Buffer.from([tag, ...lengthOctets(content.length)]), content]);
}
const seq = (...parts: Bytes[]) => tlv(0x30, ...parts);
const integer = (hex: string) => tlv(0x02, Buffer.from(hex, "hex"));
const utcTime = (date: Date) => tlv(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z", "latin1"));
const text = (tag: number, value: string) => tlv(tag, Buffer.from(value, "latin1"));
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, "hex"));
function extension(oidHex: string, value: Bytes, critical = false): Buffer {
  return seq(oid(oidHex), ...(critical ? [tlv(0x01, [0xff])] : []), tlv(0x04, value));
}
const OID = { crlNumber: "551d14", reason: "551d15", deltaCrl: "551d1b", certificateIssuer: "551d1d", aki: "551d23" };
const ECDSA_SHA256 = seq(oid("2a8648ce3d040302"));

/** The parts of a tbsCertList; each can be replaced by (possibly broken) bytes, or left out (null). */
interface CrlParts {
  version?: Buffer | null;
  signature?: Buffer;
  issuer?: Buffer;
  thisUpdate?: Buffer;
  nextUpdate?: Buffer | null;
  entries?: Buffer[] | null;
  /** The whole revokedCertificates element, raw. */
  entriesElement?: Buffer;
  extensions?: Buffer[] | null;
  outerAlgorithm?: Buffer;
  /** Signature BIT STRING content (unused-bits octet first); default: a real signature. */
  signatureBits?: (signature: Buffer) => Buffer;
  trailing?: Buffer;
}

function entry(serialHex: string, at: Date, extensions?: Buffer[]): Buffer {
  return seq(integer(serialHex), utcTime(at), ...(extensions ? [seq(...extensions)] : []));
}

/** A CRL from parts, signed with the issuing CA's key: refusals are then about the part, not the signature. */
function signedCrl(ca: TestCa, now: Date, parts: CrlParts = {}): Buffer {
  const entries = parts.entries === undefined ? [entry("4a01", new Date(now.getTime() - HOUR), [extension(OID.reason, tlv(0x0a, [1]))])] : parts.entries;
  const extensions = parts.extensions === undefined ? [extension(OID.crlNumber, integer("07"))] : parts.extensions;
  const tbs = seq(
    ...(parts.version === null ? [] : [parts.version ?? integer("01")]),
    parts.signature ?? ECDSA_SHA256,
    parts.issuer ?? Buffer.from(ca.issuing.nameDer),
    parts.thisUpdate ?? utcTime(new Date(now.getTime() - HOUR)),
    ...(parts.nextUpdate === null ? [] : [parts.nextUpdate ?? utcTime(new Date(now.getTime() + HOUR))]),
    ...(parts.entriesElement ? [parts.entriesElement] : entries === null ? [] : [seq(...entries)]),
    ...(extensions === null ? [] : [tlv(0xa0, seq(...extensions))]),
  );
  const signature = Buffer.from(sign("sha256", tbs, (ca.issuing.signer as LocalSigner).privateKey));
  const bits = parts.signatureBits ? parts.signatureBits(signature) : Buffer.concat([Buffer.from([0]), signature]);
  return Buffer.concat([seq(tbs, parts.outerAlgorithm ?? ECDSA_SHA256, tlv(0x03, bits)), parts.trailing ?? Buffer.alloc(0)]);
}

/** `der` with its outer SEQUENCE's length changed by `delta` (and nothing else). */
function withOuterLength(der: Buffer, delta: number): Buffer {
  const octets = der[1]! & 0x7f;
  const length = der.readUIntBE(2, octets) + delta;
  const out = Buffer.from(der);
  out.writeUIntBE(length, 2, octets);
  return out;
}

function randomSerial(): string {
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial.toString("hex");
}

describe("pki: CRL reader at 100,000 entries, judged against openssl", function () {
  const work = tempDir();
  after(work.cleanup);
  let ca: TestCa;
  before(async () => {
    ca = await makeTestCa();
  });

  it("reads openssl ca -gencrl's 100,000-entry CRL: every serial and date, and a 20-octet CRL number exactly", () => {
    const now = new Date();
    // Serials openssl writes with a zero octet (top bit set), short ones, and 20-octet ones.
    const special = ["01", "0a0b", "80", "ff".repeat(20), "00" + "7f".repeat(19)];
    const revoked: OpensslRevocation[] = Array.from({ length: ENTRIES }, (_, i) => ({
      serialHex: i < special.length ? special[i]! : randomSerial(),
      revokedAt: new Date(Math.floor((now.getTime() - i * 17_000) / 1000) * 1000),
      reason: ["", "keyCompromise", "superseded", "cessationOfOperation"][i % 4],
    }));
    const crlNumberHex = "7f" + "a5".repeat(19);
    const { pem } = opensslGenCrl(work.dir, { caKeyPem: (ca.issuing.signer as LocalSigner).privateKeyPem(), caCertPem: ca.issuingPem, revoked, crlNumberHex });

    const crl = readVerifiedCrl(pem, ca.issuingPem, now);
    assert.equal(crl.crlNumber, BigInt("0x" + crlNumberHex));
    assert.ok(crl.crlNumber > BigInt(Number.MAX_SAFE_INTEGER), "a 20-octet CRL number is beyond a JS number");
    assert.equal(crl.revoked.size, ENTRIES);
    for (const r of revoked) {
      const key = normaliseSerial(r.serialHex);
      assert.equal(crl.revoked.get(key)?.getTime(), r.revokedAt.getTime(), `serial ${key}`);
    }
    assert.ok(crl.revoked.has("1") && crl.revoked.has("a0b") && crl.revoked.has("80") && crl.revoked.has("7f".repeat(19)));
    assert.ok(!crl.revoked.has("01") && !crl.revoked.has("0A0B") && !crl.revoked.has("2"), "keys are the normalised form only");
    assert.deepEqual(new Set(crl.revoked.keys()), new Set(revoked.map((r) => normaliseSerial(r.serialHex))));

    // The same number again is fine (a refetch); one below what was accepted is a rollback.
    assert.equal(readVerifiedCrl(pem, ca.issuingPem, now, { minCrlNumber: crl.crlNumber }).revoked.size, ENTRIES);
    assert.throws(() => readVerifiedCrl(pem, ca.issuingPem, now, { minCrlNumber: crl.crlNumber + 1n }), { code: "CRL_ROLLBACK", field: "crl" });
  });

  it("reads back our own 100,000-entry CRL, which openssl verifies against the issuing CA", async () => {
    const now = new Date();
    const entries: RevokedEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({
      serialHex: randomSerial(),
      revokedAt: new Date(now.getTime() - i * 13_000),
      reason: i % 3 === 0 ? "unspecified" : "keyCompromise",
      notAfter: new Date(now.getTime() + 30 * 24 * HOUR),
    }));
    const built = await buildCrl(ca.issuing, { crlNumber: 41, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries });
    const verified = tool("openssl", ["crl", "-inform", "DER", "-in", put(work.dir, "ours.crl", built.der), "-CAfile", put(work.dir, "issuing.pem", ca.issuingPem), "-noout", "-crlnumber"]);
    assert.equal(verified.status, 0, verified.output);
    assert.match(verified.output, /verify OK/);
    assert.match(verified.output, /crlNumber=0x29/);

    const crl = readVerifiedCrl(built.der, ca.issuingPem, now, { minCrlNumber: 40 });
    assert.equal(crl.crlNumber, 41n);
    assert.equal(crl.revoked.size, ENTRIES);
    for (const e of entries) assert.equal(crl.revoked.get(e.serialHex)?.getTime(), Math.floor(e.revokedAt.getTime() / 1000) * 1000);
    assert.equal(readVerifiedCrl(built.pem, ca.issuingPem, now).revoked.size, ENTRIES, "PEM too");
  });
});

describe("pki: CRL reader refusals", () => {
  let ca: TestCa;
  let foreign: TestCa;
  const now = new Date("2026-06-01T12:00:00Z");
  before(async () => {
    ca = await makeTestCa();
    foreign = await makeTestCa({ name: "Forger" });
  });

  it("accepts the well-formed CRL the refusal cases start from", () => {
    const crl = readVerifiedCrl(signedCrl(ca, now), ca.issuingPem, now);
    assert.deepEqual([...crl.revoked.keys()], ["4a01"]);
    assert.equal(crl.crlNumber, 7n);
  });

  const malformed = (name: string, parts: (ca: TestCa) => CrlParts | Buffer, code: PkiErrorCode, message?: RegExp) => ({ name, parts, code, message });
  const cases = [
    // Framing
    malformed("truncated", (c) => signedCrl(c, now).subarray(0, -10), "CRL_MALFORMED", /runs past the end/),
    malformed("trailing bytes after the CRL", () => ({ trailing: Buffer.from([0x05, 0x00]) }), "CRL_MALFORMED", /2 bytes after the CRL/),
    malformed("outer length one too long", (c) => withOuterLength(signedCrl(c, now), +1), "CRL_MALFORMED", /runs past the end of its container by 1 bytes/),
    malformed("outer length one too short", (c) => withOuterLength(signedCrl(c, now), -1), "CRL_MALFORMED", /1 bytes after the CRL/),
    malformed("an entry's length one too long", () => ({ entriesElement: seq(((e) => Buffer.concat([Buffer.from([0x30, e.length - 1]), e.subarray(2)]))(entry("4a01", now))) }), "CRL_MALFORMED", /revokedCertificates\[0\]: length \d+ runs past the end of its container by 1 bytes/),
    malformed("indefinite length", () => ({ entriesElement: Buffer.concat([Buffer.from([0x30, 0x80]), entry("4a01", now), Buffer.from([0, 0])]) }), "CRL_MALFORMED", /indefinite length/),
    malformed("length in long form where short fits", () => ({ entriesElement: (() => { const e = entry("4a01", now); return Buffer.concat([Buffer.from([0x30, 0x81, e.length]), e]); })() }), "CRL_MALFORMED", /long form/),
    malformed("an entry's serial tagged OCTET STRING", () => ({ entries: [seq(tlv(0x04, [0x4a]), utcTime(now))] }), "CRL_MALFORMED", /revokedCertificates\[0\].*userCertificate: expected tag 0x2/),
    malformed("a second entry with a high tag number", () => ({ entries: [entry("01", now), Buffer.from([0x1f, 0x81, 0x00])] }), "CRL_MALFORMED", /revokedCertificates\[1\]: high tag number/),
    malformed("data after an entry's extensions", () => ({ entries: [Buffer.concat([seq(integer("01"), utcTime(now), seq(extension(OID.reason, tlv(0x0a, [1]))), tlv(0x05))])] }), "CRL_MALFORMED", /data after crlEntryExtensions/),
    malformed("signatureValue with unused bits", () => ({ signatureBits: (s) => Buffer.concat([Buffer.from([3]), s]) }), "CRL_MALFORMED", /unused bits/),
    malformed("tbsCertList.signature differing from signatureAlgorithm", () => ({ signature: seq(oid("2a8648ce3d040303")) }), "CRL_MALFORMED", /identical/),
    // Integers
    malformed("a serial with a superfluous zero octet", () => ({ entries: [entry("004a01", now)] }), "CRL_MALFORMED", /superfluous leading zero/),
    malformed("a negative serial", () => ({ entries: [entry("ff01", now)] }), "CRL_MALFORMED", /negative INTEGER/),
    malformed("an empty serial", () => ({ entries: [seq(tlv(0x02), utcTime(now))] }), "CRL_MALFORMED", /empty INTEGER/),
    malformed("a 21-octet serial", () => ({ entries: [entry("01".repeat(21), now)] }), "CRL_MALFORMED", /21 octets; at most 20/),
    malformed("a negative CRL number", () => ({ extensions: [extension(OID.crlNumber, integer("ff"))] }), "CRL_MALFORMED", /cRLNumber: negative/),
    malformed("a non-minimal CRL number", () => ({ extensions: [extension(OID.crlNumber, integer("0007"))] }), "CRL_MALFORMED", /cRLNumber: INTEGER with a superfluous/),
    malformed("a 21-octet CRL number", () => ({ extensions: [extension(OID.crlNumber, integer("7f" + "00".repeat(20)))] }), "CRL_MALFORMED", /cRLNumber: INTEGER of 21 octets/),
    malformed("the CRL number twice", () => ({ extensions: [extension(OID.crlNumber, integer("07")), extension(OID.crlNumber, integer("08"))] }), "CRL_MALFORMED", /more than once/),
    // Times
    malformed("a revocation date of 30 February", () => ({ entries: [seq(integer("01"), text(0x17, "260230120000Z"))] }), "CRL_MALFORMED", /not a valid time/),
    malformed("a revocation date with fractional seconds", () => ({ entries: [seq(integer("01"), text(0x18, "20260101120000.5Z"))] }), "CRL_MALFORMED", /expected UTCTime/),
    malformed("a thisUpdate with a time-zone offset", () => ({ thisUpdate: text(0x17, "2606011100+0100") }), "CRL_MALFORMED", /thisUpdate/),
    // What this reader will not act on
    malformed("version 1", () => ({ version: null, extensions: null }), "CRL_UNSUPPORTED", /version 1/),
    malformed("version 3", () => ({ version: integer("02") }), "CRL_UNSUPPORTED", /version field is 02/),
    malformed("no nextUpdate", () => ({ nextUpdate: null }), "CRL_UNSUPPORTED", /no nextUpdate/),
    malformed("no CRL number", () => ({ extensions: [extension(OID.aki, seq(tlv(0x80, [1, 2, 3])))] }), "CRL_UNSUPPORTED", /no CRL number/),
    malformed("a delta CRL", () => ({ extensions: [extension(OID.crlNumber, integer("07")), extension(OID.deltaCrl, integer("05"), true)] }), "CRL_UNSUPPORTED", /delta CRL/),
    malformed("an unknown critical CRL extension", () => ({ extensions: [extension(OID.crlNumber, integer("07")), extension("2b0601040182e00801", tlv(0x05), true)] }), "CRL_UNSUPPORTED", /critical extension 1\.3\.6\.1\.4\.1\.45064\.1,/),
    malformed("an indirect CRL entry (critical certificateIssuer)", () => ({ entries: [entry("01", now), entry("02", now, [extension(OID.certificateIssuer, seq(), true)])] }), "CRL_UNSUPPORTED", /revokedCertificates\[1\] has a critical entry extension/),
    malformed("signed with ECDSA-SHA1", () => ({ signature: seq(oid("2a8648ce3d0401")), outerAlgorithm: seq(oid("2a8648ce3d0401")) }), "CRL_UNSUPPORTED", /1\.2\.840\.10045\.4\.1/),
    malformed("ECDSA with parameters", () => ({ signature: seq(oid("2a8648ce3d040302"), tlv(0x05)), outerAlgorithm: seq(oid("2a8648ce3d040302"), tlv(0x05)) }), "CRL_UNSUPPORTED", /unexpected parameters/),
    // Who signed it
    malformed("an entry altered after signing", (c) => { const der = signedCrl(c, now); der[der.indexOf(Buffer.from([0x02, 0x02, 0x4a, 0x01])) + 3] = 0x02; return der; }, "CRL_INVALID", /signature does not verify/),
    malformed("a signature algorithm of another key type (RSA) than the CA's", () => ({ signature: seq(oid("2a864886f70d01010b"), tlv(0x05)), outerAlgorithm: seq(oid("2a864886f70d01010b"), tlv(0x05)) }), "CRL_INVALID", /not signed by the issuing CA/),
    malformed("signed by the CA's key but naming another issuer", () => ({ issuer: Buffer.from(foreign.issuing.nameDer) }), "CRL_WRONG_ISSUER", /another issuer/),
  ];

  for (const c of cases) {
    it(`refuses ${c.name}: ${c.code}`, () => {
      const parts = c.parts(ca);
      const der = Buffer.isBuffer(parts) ? parts : signedCrl(ca, now, parts);
      assert.throws(() => readVerifiedCrl(der, ca.issuingPem, now), (error: { code?: string; field?: string; message: string }) => {
        assert.equal(error.code, c.code, error.message);
        assert.equal(error.field, "crl");
        if (c.message) assert.match(error.message, c.message);
        return true;
      });
    });
  }

  it("has a refusal case for each CRL code", () => {
    assert.deepEqual(new Set(cases.map((c) => c.code)), new Set(["CRL_MALFORMED", "CRL_UNSUPPORTED", "CRL_INVALID", "CRL_WRONG_ISSUER"]));
  });

  it("refuses another CA's CRL, whose signature does not verify with our CA's key", async () => {
    const forged = await buildCrl(foreign.issuing, { crlNumber: 99, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [] });
    assert.throws(() => readVerifiedCrl(forged.der, ca.issuingPem, now), { code: "CRL_INVALID" });
  });

  it("judges freshness at `now`: five minutes of clock skew before thisUpdate, none at nextUpdate", () => {
    const der = signedCrl(ca, now, { thisUpdate: utcTime(now), nextUpdate: utcTime(new Date(now.getTime() + HOUR)) });
    assert.equal(readVerifiedCrl(der, ca.issuingPem, new Date(now.getTime() - 5 * 60_000)).crlNumber, 7n);
    assert.throws(() => readVerifiedCrl(der, ca.issuingPem, new Date(now.getTime() - 5 * 60_000 - 1000)), { code: "CRL_NOT_YET_VALID" });
    assert.equal(readVerifiedCrl(der, ca.issuingPem, new Date(now.getTime() + HOUR - 1000)).crlNumber, 7n);
    assert.throws(() => readVerifiedCrl(der, ca.issuingPem, new Date(now.getTime() + HOUR)), { code: "CRL_STALE" });
  });

  it("refuses an older CRL than the one accepted, compares CRL numbers exactly, and checks minCrlNumber itself", () => {
    const big = "7f" + "ff".repeat(19);
    const der = signedCrl(ca, now, { extensions: [extension(OID.crlNumber, integer(big))] });
    const number = BigInt("0x" + big);
    assert.equal(readVerifiedCrl(der, ca.issuingPem, now, { minCrlNumber: number }).crlNumber, number);
    assert.equal(readVerifiedCrl(der, ca.issuingPem, now, { minCrlNumber: number - 1n }).crlNumber, number);
    assert.throws(() => readVerifiedCrl(der, ca.issuingPem, now, { minCrlNumber: number + 1n }), { code: "CRL_ROLLBACK", message: /older than number/ });
    const seven = signedCrl(ca, now);
    assert.throws(() => readVerifiedCrl(seven, ca.issuingPem, now, { minCrlNumber: 8 }), { code: "CRL_ROLLBACK" });
    assert.equal(readVerifiedCrl(seven, ca.issuingPem, now, { minCrlNumber: 7 }).crlNumber, 7n);
    for (const bad of [-1, 1.5, 2 ** 53, -1n, Number.NaN]) {
      assert.throws(() => readVerifiedCrl(seven, ca.issuingPem, now, { minCrlNumber: bad }), { code: "REQUEST_INVALID", field: "minCrlNumber" });
    }
  });

  it("reads PEM as text or bytes and refuses PEM that is not one CRL", () => {
    const der = signedCrl(ca, now);
    const pem = toPem(der, "X509 CRL");
    assert.equal(readVerifiedCrl(pem, ca.issuingPem, now).revoked.size, 1);
    assert.equal(readVerifiedCrl(new Uint8Array(Buffer.from(pem)), ca.issuingPem, now).revoked.size, 1);
    assert.throws(() => readVerifiedCrl(pem + pem, ca.issuingPem, now), { code: "CRL_MALFORMED", message: /one "X509 CRL"/ });
    assert.throws(() => readVerifiedCrl(pem.replace(/A/, "*"), ca.issuingPem, now), { code: "CRL_MALFORMED", message: /not valid base64/ });
    assert.throws(() => readVerifiedCrl(ca.issuingPem, ca.issuingPem, now), { code: "CRL_MALFORMED", message: /found CERTIFICATE/ });
    assert.throws(() => readVerifiedCrl(der, "not a certificate", now), { code: "CHAIN_INVALID", field: "issuingCaPem" });
  });

  it("keeps what it verified: changing the caller's buffer afterwards changes nothing", () => {
    const der = signedCrl(ca, now);
    const crl = readVerifiedCrl(der, ca.issuingPem, now);
    der.fill(0);
    assert.deepEqual([...crl.revoked.keys()], ["4a01"]);
    assert.equal(crl.revoked.get("4a01")?.toISOString(), new Date(now.getTime() - HOUR).toISOString());
  });

  it("behaves as a ReadonlyMap: entries, values, forEach, a serial listed twice keeping its first place and last date", () => {
    const early = new Date(now.getTime() - 2 * HOUR);
    const late = new Date(now.getTime() - HOUR);
    const crl = readVerifiedCrl(signedCrl(ca, now, { entries: [entry("0b", early), entry("0c", early), entry("0b", late)] }), ca.issuingPem, now);
    const expected = new Map([
      ["b", late],
      ["c", early],
    ]);
    assert.equal(crl.revoked.size, 2);
    assert.deepEqual([...crl.revoked], [...expected]);
    assert.deepEqual([...crl.revoked.values()], [...expected.values()]);
    const seen: string[] = [];
    crl.revoked.forEach((date, key, map) => seen.push(`${key}@${date.toISOString()}:${map === crl.revoked}`));
    assert.deepEqual(seen, [`b@${late.toISOString()}:true`, `c@${early.toISOString()}:true`]);
    assert.equal(crl.revoked.get("d"), undefined);
    assert.equal(readVerifiedCrl(signedCrl(ca, now, { entries: null }), ca.issuingPem, now).revoked.size, 0);
    assert.equal(readVerifiedCrl(signedCrl(ca, now, { entries: [] }), ca.issuingPem, now).revoked.size, 0, "an empty list is tolerated");
  });
});

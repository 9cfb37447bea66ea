import { strict as assert } from "node:assert";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  CertificateList,
  CRLNumber,
  CRLReason,
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  KeyIdentifier,
  Name,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";
import { CaIdentity } from "../../pki/ca";
import { signatureAlgorithmOf } from "../../pki/certificate";
import { buildCrl, CrlParams, pruneExpired, RevokedEntry, REVOCATION_REASON_NAMES, REVOCATION_REASONS } from "../../pki/crl";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { normaliseSerial } from "../../pki/serial";
import { makeTestCa, TestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

const HOUR = 3600_000;
const FAR = new Date("2099-01-01T00:00:00Z");

/** The serial as the content of a positive INTEGER, worked out through BigInt (not our encoder). */
function positiveInteger(serialHex: string): ArrayBuffer {
  let hex = BigInt("0x" + normaliseSerial(serialHex)).toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = "00" + hex;
  return new Uint8Array(Buffer.from(hex, "hex")).buffer;
}

function extension(extnID: string, value: ArrayBuffer): Extension {
  return new Extension({ extnID, critical: false, extnValue: new OctetString(value) });
}

/** What @peculiar/asn1-x509 encodes for the same CRL, with the signature taken from ours (ECDSA is randomised). */
async function asn1X509Crl(issuer: CaIdentity, params: CrlParams, signature: ArrayBuffer): Promise<Uint8Array> {
  const algorithm = AsnConvert.parse((await signatureAlgorithmOf(issuer.signer)).der, AlgorithmIdentifier);
  const listed = pruneExpired(params.entries, params.thisUpdate);
  const crlNumber = BigInt(params.crlNumber);
  const tbsCertList = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: AsnConvert.parse(issuer.nameDer, Name),
    thisUpdate: new Time(params.thisUpdate),
    nextUpdate: new Time(params.nextUpdate),
    revokedCertificates:
      listed.length === 0
        ? undefined
        : listed.map(
            (e) =>
              new RevokedCertificate({
                userCertificate: positiveInteger(e.serialHex),
                revocationDate: new Time(e.revokedAt),
                crlEntryExtensions: e.reason === "unspecified" ? undefined : [extension(id_ce_cRLReasons, AsnConvert.serialize(new CRLReason(REVOCATION_REASONS[e.reason])))],
              }),
          ),
    crlExtensions: [
      extension(id_ce_authorityKeyIdentifier, AsnConvert.serialize(new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(Uint8Array.from(issuer.keyIdentifier)) }))),
      extension(id_ce_cRLNumber, crlNumber <= BigInt(Number.MAX_SAFE_INTEGER) ? AsnConvert.serialize(new CRLNumber(Number(crlNumber))) : asn1js.Integer.fromBigInt(crlNumber).toBER()),
    ],
  });
  return new Uint8Array(AsnConvert.serialize(new CertificateList({ tbsCertList, signatureAlgorithm: algorithm, signature })));
}

function entry(serialHex: string, revokedAt: Date, reason: RevokedEntry["reason"] = "keyCompromise", notAfter = FAR): RevokedEntry {
  return { serialHex, revokedAt, reason, notAfter };
}

describe("pki: CRL encoding, pinned to @peculiar/asn1-x509 and parsed by openssl and GnuTLS", () => {
  const work = tempDir();
  after(work.cleanup);
  let cas: Record<"p256" | "p384" | "rsa", TestCa>;
  before(async () => {
    cas = {
      p256: await makeTestCa(),
      p384: await makeTestCa({ issuingKey: "ecdsa-p384" }),
      rsa: await makeTestCa({ rootKey: "rsa-2048", issuingKey: "rsa-2048" }),
    };
  });

  // GnuTLS checks the CRL's dates against the clock: now, with milliseconds for the encoder to drop.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 109);
  const inputs: Array<{ name: string; ca: keyof typeof cas; params: CrlParams }> = [
    { name: "an empty list", ca: "p256", params: { crlNumber: 1, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [] } },
    {
      name: "every reason, in table order",
      ca: "p256",
      params: { crlNumber: 2, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: REVOCATION_REASON_NAMES.map((reason, i) => entry((0x4100 + i).toString(16), new Date(now.getTime() - i * 1234), reason)) },
    },
    {
      name: "20-octet serials, with and without the top bit (a zero octet before it)",
      ca: "p384",
      params: { crlNumber: 3, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [entry("7f" + "e1".repeat(19), now), entry("ff".repeat(20), now), entry("80" + "00".repeat(19), now, "unspecified")] },
    },
    {
      name: "serials written with leading zeros, odd digits, openssl's colons, zero and one",
      ca: "rsa",
      params: { crlNumber: 4, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [entry("0001", now), entry("00ff", now), entry("a", now), entry("0A:0B", now, "superseded"), entry("0", now), entry("02", now)] },
    },
    {
      name: "times across 2050 (UTCTime, then GeneralizedTime), milliseconds dropped",
      ca: "p256",
      params: { crlNumber: 5, thisUpdate: new Date("2049-12-31T23:59:59.999Z"), nextUpdate: new Date("2050-01-01T00:00:00.500Z"), entries: [entry("4a", new Date("2049-12-31T23:59:58.001Z")), entry("4b", new Date("2050-06-01T00:00:00Z"))] },
    },
    {
      name: "a 20-octet CRL number, and a pruned entry",
      ca: "p256",
      params: { crlNumber: (1n << 159n) - 1n, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [entry("4c", now), entry("4d", now, "keyCompromise", new Date(now.getTime() - 1))] },
    },
  ];

  for (const input of inputs) {
    it(`${input.name}: the bytes asn1-x509 encodes; openssl and GnuTLS verify it; our reader reads it back`, async () => {
      const ca = cas[input.ca];
      const built = await buildCrl(ca.issuing, input.params);
      const signature = AsnConvert.parse(built.der, CertificateList).signature;
      assert.deepEqual(built.der, await asn1X509Crl(ca.issuing, input.params, signature));

      const listed = pruneExpired(input.params.entries, input.params.thisUpdate);
      const crlFile = put(work.dir, `${input.ca}.crl.pem`, built.pem);
      const caFile = put(work.dir, `${input.ca}.ca.pem`, ca.issuingPem);
      const openssl = tool("openssl", ["crl", "-in", crlFile, "-CAfile", caFile, "-noout", "-text"]);
      assert.equal(openssl.status, 0, openssl.output);
      assert.match(openssl.output, /verify OK/);
      const opensslSerials = [...openssl.stdout.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => normaliseSerial(m[1]!));
      assert.deepEqual(opensslSerials, listed.map((e) => normaliseSerial(e.serialHex)));
      // openssl prints small CRL numbers in decimal, large ones as 0x… hex; BigInt reads both.
      assert.equal(BigInt(openssl.stdout.match(/X509v3 CRL Number: \s*\n\s*(\S+)/)![1]!), BigInt(input.params.crlNumber));

      const info = tool("certtool", ["--crl-info", "--infile", crlFile]);
      assert.equal(info.status, 0, info.output);
      assert.match(info.output, listed.length === 0 ? /No revoked certificates/ : new RegExp(`Revoked certificates \\(${listed.length}\\)`));
      const gnutlsSerials = [...info.stdout.matchAll(/Serial Number \(hex\): ([0-9a-f]+)/g)].map((m) => normaliseSerial(m[1]!));
      assert.deepEqual(gnutlsSerials, listed.map((e) => normaliseSerial(e.serialHex)));
      assert.equal(BigInt("0x" + info.stdout.match(/CRL Number \(not critical\): ([0-9a-f]+)/)![1]!), BigInt(input.params.crlNumber));
      const verified = tool("certtool", ["--verify-crl", "--load-ca-certificate", caFile, "--infile", crlFile]);
      if (input.params.thisUpdate.getTime() <= Date.now()) {
        assert.equal(verified.status, 0, verified.output);
        assert.match(verified.output, /Verification output: Verified/);
      } else {
        // Dated 2049/2050: GnuTLS has no --attime, so its only complaint must be the date.
        assert.match(verified.output, /Verification output: Not verified\.\s+The certificate is NOT trusted\. The revocation or OCSP data are issued with a future date\.\s*$/);
      }

      const read = readVerifiedCrl(built.der, ca.issuingPem, input.params.thisUpdate);
      assert.equal(read.crlNumber, BigInt(input.params.crlNumber));
      assert.deepEqual([...read.revoked.keys()], listed.map((e) => normaliseSerial(e.serialHex)));
    });
  }

  it("refuses what it cannot encode, naming the field", async () => {
    const ca = cas.p256.issuing;
    const base = { thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR), entries: [] };
    for (const crlNumber of [-1, 1.5, 2 ** 53, -1n, 1n << 159n]) {
      await assert.rejects(buildCrl(ca, { ...base, crlNumber }), { code: "REQUEST_INVALID", field: "crlNumber" });
    }
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, entries: [entry("01".repeat(21), now)] }), { code: "SERIAL_INVALID", field: "entries[0].serialHex" });
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, entries: [entry("01", now), entry("xyz", now)] }), { code: "SERIAL_INVALID", field: "entries[1].serialHex" });
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, entries: [entry("01", now, "because" as RevokedEntry["reason"])] }), { code: "REASON_UNKNOWN", field: "entries[0].reason" });
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, entries: [entry("01", new Date(Number.NaN))] }), { code: "REQUEST_INVALID", field: "entries[0].revokedAt" });
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, thisUpdate: new Date(Number.NaN) }), { code: "REQUEST_INVALID", field: "thisUpdate" });
    await assert.rejects(buildCrl(ca, { ...base, crlNumber: 1, nextUpdate: new Date("+010000-01-01T00:00:00Z") }), { code: "REQUEST_INVALID", field: "nextUpdate" });
  });
});

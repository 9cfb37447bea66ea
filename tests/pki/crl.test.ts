import { strict as assert } from "node:assert";
import { join } from "node:path";
import { createCsr } from "../../pki/csr";
import { buildCrl, parseRevocationReason, pruneExpired } from "../../pki/crl";
import { LOCAL_CA_FILES, LocalCa } from "../../pki/local-ca";
import { generatePrivateKey } from "../../pki/local-signer";
import { put, tempDir, tool } from "../support/tools";

const DAY = 86400_000;

function request(commonName: string, lifetimeDays = 30): object {
  return { csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName }), purposes: ["client_auth"], lifetimeDays };
}

describe("pki: revocation and CRLs", () => {
  const work = tempDir();
  after(work.cleanup);
  let ca: LocalCa;
  const pems = new Map<string, string>();
  let kept: string;
  let revoked: string;
  let expired: string;

  before(async () => {
    ca = await LocalCa.init(join(work.dir, "ca"));
    const issue = async (name: string, lifetimeDays?: number, now?: Date) => {
      const certificate = await ca.issue(request(name, lifetimeDays), now);
      pems.set(certificate.serialHex, certificate.pem);
      return certificate.serialHex;
    };
    kept = await issue("kept");
    revoked = await issue("revoked");
    // Issued 10 days ago for 1 day: expired by now, so its revocation entry is pruned.
    expired = await issue("expired", 1, new Date(Date.now() - 10 * DAY));
    // The serial as openssl prints it (colons, capitals) is accepted too.
    ca.revoke(revoked.match(/../g)!.join(":").toUpperCase(), "keyCompromise");
    ca.revoke(expired, "superseded", new Date(Date.now() - 9 * DAY));
  });

  it("lists the revoked certificate with its reason, prunes the expired one, and openssl verifies the signature", async () => {
    const crl = await ca.crl();
    assert.equal(crl.listed, 1);
    assert.equal(crl.pruned, 1);
    const crlFile = put(work.dir, "issuing.crl.pem", crl.pem);
    const text = tool("openssl", ["crl", "-in", crlFile, "-CAfile", join(ca.dir, LOCAL_CA_FILES.issuingCert), "-noout", "-text"]);
    assert.equal(text.status, 0, text.output);
    assert.match(text.output, /verify OK/);
    assert.match(text.output, /Version 2/);
    assert.match(text.output, new RegExp(`Serial Number: ${revoked.toUpperCase()}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Key Compromise`));
    assert.doesNotMatch(text.output, new RegExp(expired.toUpperCase()));
    assert.doesNotMatch(text.output, new RegExp(kept.toUpperCase()));
    assert.match(text.output, /X509v3 Authority Key Identifier/);
  });

  it("numbers CRLs upwards and GnuTLS verifies them against the issuing CA", async () => {
    const first = await ca.crl();
    const second = await ca.crl();
    const numbers = [first, second].map((crl) => Number(tool("openssl", ["crl", "-noout", "-crlnumber"], { input: crl.pem }).stdout.match(/crlNumber=(\w+)/)![1]!));
    assert.equal(numbers[1]! - numbers[0]!, 1);
    const gnutls = tool("certtool", ["--verify-crl", "--load-ca-certificate", join(ca.dir, LOCAL_CA_FILES.issuingCert)], { input: second.pem });
    assert.equal(gnutls.status, 0, gnutls.output);
    assert.match(gnutls.output, /Verification output: Verified/);
  });

  it("with the CRLs, openssl verify refuses the revoked certificate and accepts the kept one", async () => {
    const crls = put(work.dir, "all.crl.pem", (await ca.crl()).pem + (await ca.rootCrl()).pem);
    const certFor = (serial: string) => put(work.dir, `${serial}.pem`, pems.get(serial)!);
    const args = (serial: string) => ["verify", "-crl_check_all", "-CRLfile", crls, "-CAfile", join(ca.dir, LOCAL_CA_FILES.bundle), certFor(serial)];
    const bad = tool("openssl", args(revoked));
    assert.notEqual(bad.status, 0);
    assert.match(bad.output, /certificate revoked/);
    const good = tool("openssl", args(kept));
    assert.equal(good.status, 0, good.output);
  });

  it("refuses unknown serials, double revocation and unknown reasons, changing nothing", () => {
    const before = JSON.stringify(ca.records);
    assert.throws(() => ca.revoke("0a0b0c", "keyCompromise"), { code: "NOT_FOUND", field: "serial" });
    assert.throws(() => ca.revoke(revoked, "keyCompromise"), { code: "ALREADY_REVOKED" });
    assert.throws(() => ca.revoke(kept, "becauseISaidSo"), { code: "REASON_UNKNOWN", field: "reason" });
    assert.throws(() => ca.revoke("not hex!", "keyCompromise"), { code: "SERIAL_INVALID" });
    assert.equal(JSON.stringify(ca.records), before);
    assert.equal(parseRevocationReason(undefined), "unspecified");
  });

  it("prunes by notAfter against thisUpdate and refuses a nextUpdate that is not after thisUpdate", async () => {
    const at = new Date("2026-06-01T00:00:00Z");
    const entries = [
      { serialHex: "01", revokedAt: at, reason: "keyCompromise" as const, notAfter: new Date("2026-05-31T23:59:59Z") },
      { serialHex: "02", revokedAt: at, reason: "keyCompromise" as const, notAfter: new Date("2026-06-01T00:00:00Z") },
    ];
    assert.deepEqual(pruneExpired(entries, at).map((e) => e.serialHex), ["02"]);
    await assert.rejects(buildCrl(ca.issuing, { crlNumber: 1, thisUpdate: at, nextUpdate: at, entries: [] }), { code: "REQUEST_INVALID", field: "nextUpdate" });
  });

});

import { strict as assert } from "node:assert";
import { splitForAcmImport, trustBundlePem } from "../../pki/bundle";
import { issueLeaf, makeTestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

describe("pki: trust bundles and the ACM import split", () => {
  const work = tempDir();
  after(work.cleanup);

  it("writes the trust bundle root first, PEM only, without blank lines, and openssl reads both certificates", async () => {
    const ca = await makeTestCa();
    const bundle = trustBundlePem(ca.rootPem, ca.issuingPem);
    assert.ok(bundle.startsWith(ca.rootPem));
    assert.ok(bundle.endsWith(ca.issuingPem));
    assert.doesNotMatch(bundle, /\n\s*\n/, "CloudFront refuses blank lines between certificates");
    const subjects = tool("openssl", ["crl2pkcs7", "-nocrl", "-certfile", put(work.dir, "bundle.pem", bundle)]).stdout;
    const printed = tool("openssl", ["pkcs7", "-print_certs", "-noout"], { input: subjects }).stdout;
    assert.match(printed, /subject=CN = Test Root CA.*\n.*\n\s*\nsubject=CN = Test Issuing CA/);
  });

  it("refuses a bundle whose issuing CA was not signed by the root", async () => {
    const ours = await makeTestCa();
    const other = await makeTestCa({ name: "Other" });
    assert.throws(() => trustBundlePem(ours.rootPem, other.issuingPem), { code: "CHAIN_INVALID", field: "issuingCaCertPem" });
    assert.throws(() => trustBundlePem(ours.issuingPem, ours.issuingPem), { code: "CHAIN_INVALID", field: "rootCaCertPem" });
    assert.throws(() => trustBundlePem(ours.rootPem + ours.issuingPem, ours.issuingPem), { code: "PEM_INVALID" });
  });

  it("splits the how-to's combined file into ACM's body, chain and key, as the console copy-paste did", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
    const combined = leaf.keyPem + leaf.certificate.pem + ca.issuingPem + ca.rootPem;
    const parts = splitForAcmImport(combined);
    assert.equal(parts.certificatePem, leaf.certificate.pem);
    assert.equal(parts.certificateChainPem, ca.issuingPem + ca.rootPem);
    assert.equal(parts.privateKeyPem, leaf.keyPem);
    assert.match(parts.privateKeyPem, /^-----BEGIN EC PRIVATE KEY-----/, "SEC1, one of ACM's documented key forms");
    // openssl agrees that body + chain verify and that the key matches the body.
    const check = tool("openssl", ["verify", "-purpose", "sslclient", "-CAfile", put(work.dir, "root.pem", ca.rootPem), "-untrusted", put(work.dir, "chain.pem", parts.certificateChainPem), put(work.dir, "body.pem", parts.certificatePem)]);
    assert.equal(check.status, 0, check.output);
    const keyPub = tool("openssl", ["pkey", "-pubout"], { input: parts.privateKeyPem }).stdout;
    const certPub = tool("openssl", ["x509", "-pubkey", "-noout"], { input: parts.certificatePem }).stdout;
    assert.equal(keyPub, certPub);
  });

  it("refuses chains out of order, keys that are not the leaf's, encrypted keys and chains deeper than 3", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca);
    const stranger = await issueLeaf(ca);
    assert.throws(() => splitForAcmImport(leaf.keyPem + leaf.certificate.pem + ca.rootPem + ca.issuingPem), { code: "CHAIN_INVALID", message: /certificate 2 \(CN=Test Root CA.*did not sign certificate 1/ });
    assert.throws(() => splitForAcmImport(stranger.keyPem + leaf.certificate.pem + ca.issuingPem + ca.rootPem), { code: "CHAIN_INVALID", message: /does not belong to the leaf/ });
    assert.throws(() => splitForAcmImport(leaf.certificate.pem + ca.issuingPem + ca.rootPem), { code: "PEM_INVALID", message: /exactly one private key/ });
    assert.throws(() => splitForAcmImport(leaf.keyPem + leaf.certificate.pem + ca.issuingPem), { code: "CHAIN_INVALID", message: /self-signed root/ });
    assert.throws(() => splitForAcmImport(leaf.keyPem + leaf.certificate.pem + ca.issuingPem + ca.issuingPem + ca.rootPem), { code: "CHAIN_INVALID", message: /at most 3/ });
    const encrypted = tool("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret"], { input: leaf.keyPem }).stdout;
    assert.throws(() => splitForAcmImport(encrypted + leaf.certificate.pem + ca.issuingPem + ca.rootPem), { code: "PEM_INVALID", message: /ENCRYPTED PRIVATE KEY/ });
  });
});

import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CaIdentity } from "../../pki/ca";
import { KEY_ALGORITHMS, KeyAlgorithmName } from "../../pki/key-algorithms";
import { LocalSigner } from "../../pki/local-signer";
import { EKU_OIDS, issuingCaProfile, leafProfile, rootCaProfile } from "../../pki/profiles";
import { x509 } from "../../pki/x509";
import { certtoolVerify, opensslVerify, tempDir, tool, put } from "../support/tools";
import { issueLeaf, makeTestCa, TestCa } from "../support/test-ca";

describe("pki: certificate profiles (pure decisions)", () => {
  it("gives EC leaves digitalSignature only and RSA leaves keyEncipherment as well", () => {
    assert.deepEqual(leafProfile(["client_auth"], KEY_ALGORITHMS["ecdsa-p256"]).keyUsage, ["digitalSignature"]);
    assert.deepEqual(leafProfile(["client_auth"], KEY_ALGORITHMS["rsa-2048"]).keyUsage, ["digitalSignature", "keyEncipherment"]);
  });

  it("maps purposes to EKUs, in a stable order, and refuses an empty purpose list", () => {
    assert.deepEqual(leafProfile(["server_auth", "client_auth"], KEY_ALGORITHMS["ecdsa-p256"]).extendedKeyUsage, [EKU_OIDS.client_auth, EKU_OIDS.server_auth]);
    assert.throws(() => leafProfile([], KEY_ALGORITHMS["ecdsa-p256"]), { code: "PURPOSE_MISSING" });
  });

  it("limits the issuing CA to pathLen 0 and leaves the root unconstrained", () => {
    assert.deepEqual(issuingCaProfile().basicConstraints, { ca: true, pathLength: 0 });
    assert.deepEqual(rootCaProfile().basicConstraints, { ca: true });
    assert.deepEqual(leafProfile(["client_auth"], KEY_ALGORITHMS["ecdsa-p256"]).basicConstraints, { ca: false });
  });

  it("refuses malformed policy OIDs and non-http distribution URLs", () => {
    assert.throws(() => leafProfile(["client_auth"], KEY_ALGORITHMS["ecdsa-p256"], { policyOids: ["2.23.x"] }), { code: "REQUEST_INVALID", field: "policyOids" });
    assert.throws(() => issuingCaProfile({ crlUrls: ["ldap://x/crl"] }), { code: "REQUEST_INVALID", field: "crlUrls" });
  });
});

describe("pki: issued chains, judged by openssl and GnuTLS", () => {
  const work = tempDir();
  after(work.cleanup);

  const combinations: Array<{ root: KeyAlgorithmName; issuing: KeyAlgorithmName; leaf: KeyAlgorithmName }> = [
    { root: "ecdsa-p384", issuing: "ecdsa-p256", leaf: "ecdsa-p256" },
    { root: "rsa-3072", issuing: "rsa-2048", leaf: "rsa-2048" },
    { root: "ecdsa-p256", issuing: "rsa-2048", leaf: "ecdsa-p521" },
  ];

  for (const keys of combinations) {
    it(`root ${keys.root} / issuing ${keys.issuing} / leaf ${keys.leaf}: client cert verifies for sslclient, not sslserver`, async () => {
      const ca = await makeTestCa({ rootKey: keys.root, issuingKey: keys.issuing, leafProfile: { crlUrls: ["http://pki.example.com/issuing.crl"], caIssuersUrls: ["http://pki.example.com/issuing.crt"], policyOids: ["2.23.140.1.2.1"] } });
      const leaf = await issueLeaf(ca, { keyType: keys.leaf, subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
      const client = opensslVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, "sslclient");
      assert.equal(client.status, 0, client.output);
      const server = opensslVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, "sslserver");
      assert.notEqual(server.status, 0, "a client_auth certificate must not verify as a server certificate");
      assert.match(server.output, /unsuitable certificate purpose/);
      const gnutls = certtoolVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, EKU_OIDS.client_auth);
      assert.equal(gnutls.status, 0, gnutls.output);
      assert.match(gnutls.output, /Chain verification output: Verified/);
      const gnutlsWrongPurpose = certtoolVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, EKU_OIDS.server_auth);
      assert.notEqual(gnutlsWrongPurpose.status, 0, gnutlsWrongPurpose.output);
    });
  }

  it("server_auth certificates with DNS and IP SANs verify for sslserver with the host name checked", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca, { purposes: ["server_auth"], subject: { commonName: "api.example.com" }, sans: [{ type: "dns", value: "api.example.com" }, { type: "ip", value: "127.0.0.1" }] });
    const ok = opensslVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, "sslserver", ["-verify_hostname", "api.example.com"]);
    assert.equal(ok.status, 0, ok.output);
    const ip = opensslVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, "sslserver", ["-verify_ip", "127.0.0.1"]);
    assert.equal(ip.status, 0, ip.output);
    const wrongHost = opensslVerify(work.dir, ca.rootPem, ca.issuingPem, leaf.certificate.pem, "sslserver", ["-verify_hostname", "evil.example.com"]);
    assert.notEqual(wrongHost.status, 0);
  });

  it("a leaf from another CA does not verify against our bundle", async () => {
    const ours = await makeTestCa({ name: "Ours" });
    const foreign = await makeTestCa({ name: "Foreign" });
    const leaf = await issueLeaf(foreign);
    const result = opensslVerify(work.dir, ours.rootPem, ours.issuingPem, leaf.certificate.pem, "sslclient");
    assert.notEqual(result.status, 0);
  });

  it("writes the profile extensions openssl reads back: EC keyUsage, EKU, CRL DP, AIA, policies, SKI/AKI", async () => {
    const ca = await makeTestCa({ leafProfile: { crlUrls: ["http://pki.example.com/issuing.crl"], caIssuersUrls: ["http://pki.example.com/issuing.crt"], policyOids: ["1.3.6.1.4.1.99999.1"] } });
    const leaf = await issueLeaf(ca);
    const text = tool("openssl", ["x509", "-noout", "-text"], { input: leaf.certificate.pem }).stdout;
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
    assert.doesNotMatch(text, /Key Encipherment/);
    assert.match(text, /X509v3 Extended Key Usage: \s*\n\s+TLS Web Client Authentication\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /URI:http:\/\/pki\.example\.com\/issuing\.crl/);
    assert.match(text, /CA Issuers - URI:http:\/\/pki\.example\.com\/issuing\.crt/);
    assert.match(text, /Policy: 1\.3\.6\.1\.4\.1\.99999\.1/);
    const issuingSki = new X509Certificate(ca.issuingPem);
    const issuingText = tool("openssl", ["x509", "-noout", "-ext", "subjectKeyIdentifier,basicConstraints,keyUsage"], { input: ca.issuingPem }).stdout;
    assert.match(issuingText, /CA:TRUE, pathlen:0/);
    assert.match(issuingText, /Certificate Sign, CRL Sign/);
    const ski = issuingText.match(/Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/)![1];
    assert.match(text, new RegExp(`Authority Key Identifier:\\s*\\n\\s*(keyid:)?${ski}`));
    assert.ok(new X509Certificate(leaf.certificate.pem).checkIssued(issuingSki));
  });

  it("encodes byte for byte what @peculiar/asn1-x509 would encode for the same certificate", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca, { purposes: ["server_auth", "client_auth"], subject: { commonName: "x", country: "GB" }, sans: [{ type: "dns", value: "x.example.com" }] });
    const parsed = AsnConvert.parse(leaf.certificate.der, Certificate);
    assert.deepEqual(new Uint8Array(AsnConvert.serialize(parsed)), leaf.certificate.der);
    assert.deepEqual(new Uint8Array(AsnConvert.serialize(parsed.tbsCertificate)), new Uint8Array(parsed.tbsCertificateRaw!));
  });

  it("makes 20-octet positive serials, all different", async () => {
    const ca = await makeTestCa();
    const serials = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const leaf = await issueLeaf(ca);
      const hex = new X509Certificate(leaf.certificate.pem).serialNumber;
      assert.equal(hex.length, 40);
      assert.ok(parseInt(hex[0]!, 16) >= 4 && parseInt(hex[0]!, 16) <= 7, `serial ${hex} must start with 0x40-0x7f`);
      assert.equal(hex.toLowerCase(), leaf.certificate.serialHex);
      serials.add(hex);
    }
    assert.equal(serials.size, 50);
  });

  it("backdates notBefore by 5 minutes and sets notAfter lifetimeDays after now", async () => {
    const ca = await makeTestCa();
    const now = new Date("2026-03-01T12:00:00Z");
    const leaf = await issueLeaf(ca, { lifetimeDays: 90, now });
    const cert = new X509Certificate(leaf.certificate.pem);
    assert.equal(new Date(cert.validFrom).toISOString(), "2026-03-01T11:55:00.000Z");
    assert.equal(new Date(cert.validTo).toISOString(), "2026-05-30T12:00:00.000Z");
  });

  it("refuses a leaf that would outlive its issuer", async () => {
    const ca = await makeTestCa({ now: new Date(Date.now() - 3650 * 86400_000 + 30 * 86400_000) });
    await assert.rejects(issueLeaf(ca, { lifetimeDays: 90 }), { code: "LIFETIME_EXCEEDS_ISSUER", field: "lifetimeDays" });
  });

  it("refuses to pair a signer with a certificate for another key", async () => {
    const ca = await makeTestCa();
    await assert.rejects(CaIdentity.create(LocalSigner.generate("ecdsa-p256"), ca.issuing.certificateDer), { code: "CHAIN_INVALID" });
  });

  it("the issuing CA certificate verifies under the root for openssl as a CA (x509_strict)", async () => {
    const ca: TestCa = await makeTestCa({ rootKey: "rsa-2048", issuingKey: "ecdsa-p384" });
    const result = tool("openssl", ["verify", "-x509_strict", "-CAfile", put(work.dir, "root.pem", ca.rootPem), put(work.dir, "issuing.pem", ca.issuingPem)]);
    assert.equal(result.status, 0, result.output);
    assert.equal(new x509.X509Certificate(ca.rootPem).subject, new x509.X509Certificate(ca.rootPem).issuer);
  });
});

import { strict as assert } from "node:assert";
import { checkOriginClientCertificate, cloudFrontTrustBundle } from "../../components/edge-rules";
import { caFingerprints } from "../../pki/origin-client-certificate";
import { s3OriginPolicy } from "../../components/s3-origin";
import { issueLeaf, makeTestCa } from "../support/test-ca";

const DAY = 86400_000;

describe("components: edge rules (pure)", function () {
  this.timeout(30_000);

  it("accepts an ECDSA P-256 or RSA 2048 clientAuth certificate with a chain of 3, and refuses the rest", async () => {
    const ca = await makeTestCa();
    const chain = ca.issuingPem + ca.rootPem;
    for (const keyType of ["ecdsa-p256", "rsa-2048"] as const) {
      checkOriginClientCertificate((await issueLeaf(ca, { keyType, subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } })).certificate.pem, chain);
    }
    const p384 = await issueLeaf(ca, { keyType: "ecdsa-p384" });
    assert.throws(() => checkOriginClientCertificate(p384.certificate.pem, chain), /ecdsa-p384 key; CloudFront accepts only RSA 2048 or ECDSA P-256/);
    const server = await issueLeaf(ca, { purposes: ["server_auth"], subject: { commonName: "x.example.com" }, sans: [{ type: "dns", value: "x.example.com" }] });
    assert.throws(() => checkOriginClientCertificate(server.certificate.pem, chain), /lacks the clientAuth extended key usage/);
    const good = await issueLeaf(ca);
    assert.throws(() => checkOriginClientCertificate(good.certificate.pem, ca.issuingPem + ca.issuingPem + ca.rootPem), /4 certificates; CloudFront accepts at most 3/);
    assert.throws(() => checkOriginClientCertificate(good.certificate.pem, ca.rootPem + ca.issuingPem), /certificate 2 did not sign certificate 1/);
  });

  it("with the CA's fingerprints, accepts only a chain of that CA's certificates ending in its root; with a time, only a leaf valid then", async () => {
    const ca = await makeTestCa();
    const other = await makeTestCa({ name: "Other" });
    const trusted = caFingerprints(ca.bundlePem);
    const good = await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" }, lifetimeDays: 10 });
    checkOriginClientCertificate(good.certificate.pem, ca.issuingPem + ca.rootPem, { trustedCaSha256: trusted, now: new Date() });
    const foreign = await issueLeaf(other);
    assert.throws(() => checkOriginClientCertificate(foreign.certificate.pem, other.issuingPem + other.rootPem, { trustedCaSha256: trusted }), /certificate 2 \(.*Other Issuing CA.*\) is not one of the CA's certificates/);
    // The issuing CA alone is a valid chain link but not a chain to the root.
    assert.throws(() => checkOriginClientCertificate(good.certificate.pem, ca.issuingPem, { trustedCaSha256: trusted }), /does not end in the CA's self-signed root/);
    assert.throws(() => checkOriginClientCertificate(good.certificate.pem, "", { trustedCaSha256: trusted }), /chainPem: no PEM block found/);
    assert.throws(() => checkOriginClientCertificate(good.certificate.pem, ca.issuingPem + ca.rootPem, { now: new Date(Date.now() + 11 * DAY) }), /is not valid now/);
  });

  it("writes CloudFront bundles without blank lines and refuses leaves and non-certificates in them", async () => {
    const ca = await makeTestCa({ rootKey: "rsa-2048", issuingKey: "ecdsa-p384" });
    const spaced = ca.rootPem + "\n\n" + ca.issuingPem;
    assert.equal(cloudFrontTrustBundle(spaced), ca.rootPem + ca.issuingPem);
    const leaf = await issueLeaf(ca);
    assert.throws(() => cloudFrontTrustBundle(ca.bundlePem + leaf.certificate.pem), /certificate 3 .* is not a CA certificate/);
    assert.throws(() => cloudFrontTrustBundle(ca.bundlePem + leaf.keyPem), /only CERTIFICATE blocks/);
  });

  it("lets CloudFront read the S3 origin only for one distribution, over TLS", () => {
    const policy = s3OriginPolicy("arn:aws:s3:::site", "arn:aws:cloudfront::1:distribution/E1");
    assert.deepEqual(policy.Statement.map((s) => [s.Sid, s.Effect]), [["DenyInsecureTransport", "Deny"], ["CloudFrontReadsThroughOac", "Allow"]]);
    assert.equal(policy.Statement[1]!.Resource, "arn:aws:s3:::site/*");
  });
});

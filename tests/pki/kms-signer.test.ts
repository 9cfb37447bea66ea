import { strict as assert } from "node:assert";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { CaIdentity, createIssuingCertificate, createRootCertificate } from "../../pki/ca";
import { buildCrl } from "../../pki/crl";
import { validateIssueRequest } from "../../pki/issuance-policy";
import { KMS_MAX_ATTEMPTS, KmsSigner, kmsSigningClient } from "../../pki/kms-signer";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey } from "../../pki/local-signer";
import { randomSerialHex } from "../../pki/serial";
import { kmsHttpEndpoint } from "../support/kms-http";
import { fakeKey, fakeKms } from "../support/kms-mock";
import { opensslVerify, put, tempDir, tool } from "../support/tools";

const THROTTLED = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };

describe("pki: KmsSigner (aws-sdk-client-mock or KMS at the HTTP layer, signatures made by openssl with real keys)", function () {
  this.timeout(60_000);
  const work = tempDir();
  after(work.cleanup);

  for (const [rootSpec, issuingSpec] of [["ecdsa-p384", "ecdsa-p256"], ["rsa-3072", "rsa-2048"]] as const) {
    it(`builds a ${rootSpec} root, ${issuingSpec} issuing CA and a leaf that openssl verifies, one Sign per certificate`, async () => {
      const fake = fakeKms([fakeKey("root", rootSpec), fakeKey("issuing", issuingSpec)]);
      try {
        const rootSigner = new KmsSigner({ client: fake.client, keyId: "root" });
        const issuingSigner = new KmsSigner({ client: fake.client, keyId: "issuing" });
        const rootCert = await createRootCertificate(rootSigner, { subject: { commonName: "KMS Root" } });
        assert.equal(fake.signCalls.length, 1);
        const root = await CaIdentity.create(rootSigner, rootCert.der);
        const issuingCert = await createIssuingCertificate(root, await issuingSigner.publicKey(), { subject: { commonName: "KMS Issuing" } });
        assert.equal(fake.signCalls.length, 2);
        const issuing = await CaIdentity.create(issuingSigner, issuingCert.der);
        const csrPem = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "CloudFront", organizationalUnit: "CloudFront" });
        const leaf = await issuing.issueLeaf(validateIssueRequest({ csrPem, purposes: ["client_auth"] }).order);
        assert.equal(fake.signCalls.length, 3, "exactly one kms:Sign per certificate");
        assert.ok(fake.signCalls.every((c) => c.MessageType === "DIGEST"));
        assert.equal(fake.kms.commandCalls(GetPublicKeyCommand).length, 2, "GetPublicKey once per key, then cached");
        const verified = opensslVerify(work.dir, rootCert.pem, issuingCert.pem, leaf.pem, "sslclient");
        assert.equal(verified.status, 0, verified.output);
      } finally {
        fake.cleanup();
      }
    });
  }

  it("signs a CRL far over KMS's 4 KB RAW limit in DIGEST mode, with one Sign call", async () => {
    const fake = fakeKms([fakeKey("issuing", "ecdsa-p256")]);
    try {
      const signer = new KmsSigner({ client: fake.client, keyId: "issuing" });
      const cert = await createRootCertificate(signer, { subject: { commonName: "CRL signer" } });
      const ca = await CaIdentity.create(signer, cert.der);
      const entries = Array.from({ length: 2000 }, () => ({ serialHex: randomSerialHex(), revokedAt: new Date(), reason: "keyCompromise" as const, notAfter: new Date(Date.now() + 86400_000) }));
      const before = fake.signCalls.length;
      const crl = await buildCrl(ca, { crlNumber: 1, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 3600_000), entries });
      assert.ok(crl.der.length > 4096 * 10);
      assert.equal(fake.signCalls.length - before, 1);
      assert.equal(fake.signCalls.at(-1)!.Message!.length, 32, "a SHA-256 digest is sent, not the CRL");
      const text = tool("openssl", ["crl", "-noout", "-CAfile", put(work.dir, "crl-ca.pem", cert.pem)], { input: crl.pem });
      assert.match(text.output, /verify OK/);
    } finally {
      fake.cleanup();
    }
  });

  it("leaves throttling to the SDK's retry strategy: two ThrottlingExceptions, then the one signature that counts — one Sign per certificate", async () => {
    const kms = kmsHttpEndpoint(fakeKey("k", "ecdsa-p256"));
    try {
      const sends: string[] = [];
      const send = kms.client.send.bind(kms.client);
      kms.client.send = ((command: { constructor: { name: string } }) => (sends.push(command.constructor.name), send(command as never))) as typeof kms.client.send;
      kms.failSign(THROTTLED, THROTTLED);
      const signer = new KmsSigner({ client: kms.client, keyId: "k" });
      const cert = await createRootCertificate(signer, { subject: { commonName: "after throttling" } });
      assert.deepEqual(kms.requests, ["GetPublicKey", "Sign", "Sign", "Sign"], "the SDK retried the Sign request twice");
      assert.deepEqual(sends, ["GetPublicKeyCommand", "SignCommand"], "the signer sent one Sign for the certificate");
      const check = tool("openssl", ["verify", "-x509_strict", "-CAfile", put(work.dir, "throttled.pem", cert.pem), put(work.dir, "throttled2.pem", cert.pem)]);
      assert.equal(check.status, 0, check.output);
      kms.failSign({ status: 500, type: "KMSInternalException", message: "internal" });
      await createRootCertificate(signer, { subject: { commonName: "after a fault" } });
      assert.deepEqual(kms.requests.slice(4), ["Sign", "Sign"], "a transient fault (500) is retried too");
    } finally {
      kms.cleanup();
    }
  });

  it("gives up after the client's attempts with KMS_THROTTLED, saying how many", async () => {
    const kms = kmsHttpEndpoint(fakeKey("k", "ecdsa-p256"), { maxAttempts: 3 });
    try {
      kms.failSign(THROTTLED, THROTTLED, THROTTLED, THROTTLED);
      await assert.rejects(createRootCertificate(new KmsSigner({ client: kms.client, keyId: "k" }), { subject: { commonName: "x" } }), (error: { code: string; message: string }) => {
        assert.equal(error.code, "KMS_THROTTLED");
        assert.match(error.message, /kms:Sign on k still failing with ThrottlingException after 3 attempts: Rate exceeded/);
        return true;
      });
      assert.deepEqual(kms.requests, ["GetPublicKey", "Sign", "Sign", "Sign"]);
      const defaults = kmsSigningClient({ region: "eu-west-2" }).config;
      const strategy = (await defaults.retryStrategy()) as { mode?: string };
      assert.deepEqual([strategy.mode, await defaults.maxAttempts()], ["standard", KMS_MAX_ATTEMPTS], "signing clients: the SDK's standard strategy, KMS_MAX_ATTEMPTS attempts");
    } finally {
      kms.cleanup();
    }
  });

  it("surfaces access denied at once, naming the action and the key, without retrying", async () => {
    const keyId = "arn:aws:kms:eu-west-2:111122223333:key/abc";
    const kms = kmsHttpEndpoint(fakeKey(keyId, "ecdsa-p256"));
    try {
      kms.failSign({ status: 400, type: "AccessDeniedException", message: "User: arn:aws:sts::1:assumed-role/x is not authorized to perform: kms:Sign" });
      await assert.rejects(createRootCertificate(new KmsSigner({ client: kms.client, keyId }), { subject: { commonName: "x" } }), (error: { code: string; message: string }) => {
        assert.equal(error.code, "KMS_ACCESS_DENIED");
        assert.match(error.message, /kms:Sign on arn:aws:kms:eu-west-2:111122223333:key\/abc was denied/);
        assert.match(error.message, /key policy/);
        return true;
      });
      assert.deepEqual(kms.requests, ["GetPublicKey", "Sign"], "access denied is not retried");
    } finally {
      kms.cleanup();
    }
  });

  it("refuses keys that cannot sign certificates, and signatures that do not verify", async () => {
    const fake = fakeKms([fakeKey("enc", "ecdsa-p256", "ENCRYPT_DECRYPT"), fakeKey("k", "ecdsa-p256")]);
    try {
      await assert.rejects(new KmsSigner({ client: fake.client, keyId: "enc" }).publicKey(), { code: "KMS_KEY_UNUSABLE" });
      await assert.rejects(new KmsSigner({ client: fake.client, keyId: "missing" }).publicKey(), { code: "KMS_KEY_UNUSABLE", field: "keyId" });
      fake.signWithWrongKey("k", "ecdsa-p256");
      await assert.rejects(createRootCertificate(new KmsSigner({ client: fake.client, keyId: "k" }), { subject: { commonName: "x" } }), {
        code: "KMS_KEY_UNUSABLE",
        message: /does not verify/,
      });
    } finally {
      fake.cleanup();
    }
  });
});

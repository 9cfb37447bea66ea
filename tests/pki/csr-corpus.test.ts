import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { createCsr, MAX_CSR_BYTES, parseCsr } from "../../pki/csr";
import { PkiErrorCode } from "../../pki/errors";
import { IssuancePolicy, validateIssueRequest } from "../../pki/issuance-policy";
import { LocalCa } from "../../pki/local-ca";
import { generatePrivateKey } from "../../pki/local-signer";
import { readPemBlocks, toPem } from "../../pki/pem";
import { put, tempDir, tool } from "../support/tools";

/** A CSR made by OpenSSL itself (not our code): `openssl req` with the given key algorithm and options. */
function opensslCsr(dir: string, newkey: string[], subject: string, extra: string[] = []): string {
  const result = tool("openssl", ["req", "-new", "-nodes", ...newkey, "-keyout", `${dir}/csr-key.pem`, "-subj", subject, ...extra]);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const POLICY: IssuancePolicy = {
  maxLifetimeDays: 365,
  defaultLifetimeDays: 90,
  names: {
    client_auth: { commonNames: ["CloudFront", "user-*"], organizationalUnits: ["CloudFront", "Security Operations"], dnsNames: [".example.com"], ipAddresses: [] },
    server_auth: { commonNames: ["*.example.com", "api.example.com"], organizationalUnits: ["*"], dnsNames: [".example.com"], ipAddresses: ["127.0.0.1"] },
  },
};

describe("pki: CSR parsing and issuance policy", () => {
  const work = tempDir();
  after(work.cleanup);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
  let goodCsr: string;
  let goodDer: Uint8Array;

  before(() => {
    goodCsr = opensslCsr(work.dir, ec, "/CN=CloudFront/OU=CloudFront/O=Serverless Inc/C=GB", ["-addext", "subjectAltName=DNS:edge.example.com,IP:127.0.0.1"]);
    goodDer = readPemBlocks(goodCsr, "csr")[0]!.der;
  });

  it("accepts an OpenSSL CSR, verifies its signature and honours its SANs", () => {
    const csr = parseCsr(goodCsr);
    assert.deepEqual(csr.subject, { commonName: "CloudFront", organizationalUnit: "CloudFront", organization: "Serverless Inc", country: "GB" });
    assert.deepEqual(csr.sans, [{ type: "dns", value: "edge.example.com" }, { type: "ip", value: "127.0.0.1" }]);
    assert.equal(csr.publicKey.algorithm.name, "ecdsa-p256");
  });

  it("accepts the same CSR as DER, and RSA 2048 CSRs", () => {
    assert.equal(parseCsr(goodDer).subject.commonName, "CloudFront");
    const rsa = opensslCsr(work.dir, ["-newkey", "rsa:2048"], "/CN=user-1/OU=Security Operations");
    assert.equal(parseCsr(rsa).publicKey.algorithm.name, "rsa-2048");
  });

  it("our own CSRs are accepted by openssl req -verify", () => {
    const pem = createCsr(generatePrivateKey("ecdsa-p384"), { commonName: "user-2", organizationalUnit: "Security Operations" }, [{ type: "dns", value: "a.example.com" }]);
    const result = tool("openssl", ["req", "-verify", "-noout", "-text"], { input: pem });
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /verify OK|Certificate request self-signature verify OK/);
    assert.match(result.output, /DNS:a\.example\.com/);
  });

  it("request subject fields override the CSR's, and request SANs add to the CSR's", () => {
    const allowLoopback: IssuancePolicy = { ...POLICY, names: { ...POLICY.names, client_auth: { ...POLICY.names.client_auth, ipAddresses: ["127.0.0.1"] } } };
    const { order } = validateIssueRequest({ csrPem: goodCsr, purposes: ["client_auth"], subject: { organizationalUnit: "Security Operations" }, sans: ["api.example.com"] }, allowLoopback);
    assert.equal(order.subject.commonName, "CloudFront");
    assert.equal(order.subject.organizationalUnit, "Security Operations");
    assert.deepEqual(order.sans.map((s) => s.value), ["edge.example.com", "127.0.0.1", "api.example.com"]);
  });

  // Each bad input with the code it must be refused with. At least 15, as the issue asks.
  type Case = { name: string; request: () => unknown; code: PkiErrorCode; field?: string; policy?: IssuancePolicy };
  const flip = (der: Uint8Array, fromEnd: number): string => {
    const copy = Uint8Array.from(der);
    copy[copy.length - fromEnd] ^= 0x01;
    return toPem(copy, "CERTIFICATE REQUEST");
  };
  const permissive: IssuancePolicy = { ...POLICY, names: { client_auth: { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] }, server_auth: { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] } } };
  const cases: Case[] = [
    { name: "signature byte flipped", request: () => ({ csrPem: flip(goodDer, 5), purposes: ["client_auth"] }), code: "CSR_BAD_SIGNATURE", field: "csrPem" },
    { name: "subject altered after signing", request: () => ({ csrPem: toPem(Buffer.from(Buffer.from(goodDer).toString("latin1").replace("CloudFront", "CloudFronT"), "latin1"), "CERTIFICATE REQUEST"), purposes: ["client_auth"] }), code: "CSR_BAD_SIGNATURE" },
    { name: "RSA 1024 key", request: () => ({ csrPem: opensslCsr(work.dir, ["-newkey", "rsa:1024"], "/CN=CloudFront/OU=CloudFront"), purposes: ["client_auth"] }), code: "KEY_TOO_WEAK" },
    { name: "secp256k1 key", request: () => ({ csrPem: opensslCsr(work.dir, ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "/CN=CloudFront/OU=CloudFront"), purposes: ["client_auth"] }), code: "KEY_UNSUPPORTED" },
    { name: "Ed25519 key", request: () => ({ csrPem: opensslCsr(work.dir, ["-newkey", "ed25519"], "/CN=CloudFront/OU=CloudFront"), purposes: ["client_auth"] }), code: "CSR_UNSUPPORTED_SIGNATURE_ALGORITHM" },
    { name: "SHA-1 signature", request: () => ({ csrPem: opensslCsr(work.dir, ["-newkey", "rsa:2048", "-sha1"], "/CN=CloudFront/OU=CloudFront"), purposes: ["client_auth"] }), code: "CSR_UNSUPPORTED_SIGNATURE_ALGORITHM" },
    { name: "asks for CA:TRUE", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=CloudFront/OU=CloudFront", ["-addext", "basicConstraints=critical,CA:TRUE"]), purposes: ["client_auth"] }), code: "CSR_REQUESTS_CA" },
    { name: "unknown purpose", request: () => ({ csrPem: goodCsr, purposes: ["code_signing"] }), code: "PURPOSE_UNKNOWN", field: "purposes" },
    { name: "no purpose", request: () => ({ csrPem: goodCsr, purposes: [] }), code: "PURPOSE_MISSING", field: "purposes" },
    { name: "lifetime 0", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], lifetimeDays: 0 }), code: "LIFETIME_OUT_OF_RANGE", field: "lifetimeDays" },
    { name: "lifetime 1000", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], lifetimeDays: 1000 }), code: "LIFETIME_OUT_OF_RANGE", field: "lifetimeDays" },
    { name: "lifetime 1.5", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], lifetimeDays: 1.5 }), code: "LIFETIME_OUT_OF_RANGE", field: "lifetimeDays" },
    { name: "CN not allowed", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=Mallory/OU=CloudFront"), purposes: ["client_auth"] }), code: "SUBJECT_CN_NOT_ALLOWED", field: "subject.commonName" },
    { name: "OU not allowed", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=CloudFront/OU=Marketing"), purposes: ["client_auth"] }), code: "SUBJECT_OU_NOT_ALLOWED", field: "subject.organizationalUnit" },
    { name: "SAN outside the allowed suffix", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=CloudFront/OU=CloudFront", ["-addext", "subjectAltName=DNS:evil.example.net"]), purposes: ["client_auth"] }), code: "SAN_NOT_ALLOWED", field: "sans" },
    { name: "SAN equal to the bare suffix", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], sans: ["example.com"] }), code: "SAN_NOT_ALLOWED" },
    { name: "IP SAN not allowed for client_auth", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"] }), code: "SAN_NOT_ALLOWED" },
    { name: "email SAN", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=CloudFront/OU=CloudFront", ["-addext", "subjectAltName=email:a@example.com"]), purposes: ["client_auth"] }), code: "SAN_INVALID" },
    { name: "malformed SAN in the request", request: () => ({ csrPem: goodCsr, purposes: ["server_auth"], sans: ["bad_name!.example.com"] }), code: "SAN_INVALID" },
    { name: "server_auth without any SAN", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=api.example.com"), purposes: ["server_auth"] }), code: "SAN_REQUIRED", field: "sans" },
    { name: "no CN", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/OU=CloudFront"), purposes: ["client_auth"] }), code: "SUBJECT_CN_MISSING" },
    { name: "unsupported subject attribute", request: () => ({ csrPem: opensslCsr(work.dir, ec, "/CN=CloudFront/OU=CloudFront/emailAddress=a@example.com"), purposes: ["client_auth"] }), code: "SUBJECT_INVALID" },
    { name: "garbage", request: () => ({ csrPem: "hello, I am not a CSR", purposes: ["client_auth"] }), code: "CSR_MALFORMED", field: "csrPem" },
    { name: "truncated DER", request: () => ({ csrPem: toPem(goodDer.subarray(0, goodDer.length - 20), "CERTIFICATE REQUEST"), purposes: ["client_auth"] }), code: "CSR_MALFORMED" },
    { name: "trailing bytes after the CSR", request: () => ({ csrPem: toPem(Buffer.concat([goodDer, Buffer.from([0x05, 0x00])]), "CERTIFICATE REQUEST"), purposes: ["client_auth"] }), code: "CSR_MALFORMED" },
    { name: "a certificate instead of a CSR", request: () => ({ csrPem: goodCsr.replace(/CERTIFICATE REQUEST/g, "CERTIFICATE"), purposes: ["client_auth"] }), code: "CSR_MALFORMED" },
    { name: "oversized input", request: () => ({ csrPem: goodCsr + "#".repeat(MAX_CSR_BYTES), purposes: ["client_auth"] }), code: "CSR_TOO_LARGE", field: "csrPem" },
    { name: "csrPem missing", request: () => ({ purposes: ["client_auth"] }), code: "REQUEST_INVALID", field: "csrPem" },
    { name: "unknown request field", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], forceIssue: true }), code: "REQUEST_INVALID", field: "forceIssue" },
    { name: "request is not an object", request: () => "issue me", code: "REQUEST_INVALID" },
    { name: "country that is not a code", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], subject: { country: "Britain" } }), code: "SUBJECT_INVALID", field: "subject.country" },
    { name: "bad idempotency key", request: () => ({ csrPem: goodCsr, purposes: ["client_auth"], idempotencyKey: "x" }), code: "REQUEST_INVALID", field: "idempotencyKey" },
    { name: "key pair mismatch: CSR signed by another key", request: () => ({ csrPem: swapKey(goodDer), purposes: ["client_auth"] }), code: "CSR_BAD_SIGNATURE", policy: permissive },
  ];

  for (const c of cases) {
    it(`refuses: ${c.name} → ${c.code}`, () => {
      assert.throws(() => validateIssueRequest(c.request(), c.policy ?? POLICY), (error: { code?: string; field?: string; message?: string }) => {
        assert.equal(error.code, c.code, `expected ${c.code}, got ${error.code}: ${error.message}`);
        if (c.field) assert.equal(error.field, c.field);
        assert.ok(error.message && error.message.length > 20, "the message must say what is wrong");
        return true;
      });
    });
  }

  it("has at least 15 distinct refusal cases and 15 distinct codes among them", () => {
    assert.ok(cases.length >= 15);
    assert.ok(new Set(cases.map((c) => c.code)).size >= 15, `only ${new Set(cases.map((c) => c.code)).size} distinct codes`);
  });

  it("issues nothing and writes nothing when a request is refused", async () => {
    const dir = tempDir();
    try {
      const ca = await LocalCa.init(dir.dir, { policy: POLICY });
      await assert.rejects(ca.issue({ csrPem: flip(goodDer, 5), purposes: ["client_auth"] }), { code: "CSR_BAD_SIGNATURE" });
      await assert.rejects(ca.issue({ csrPem: goodCsr, purposes: ["client_auth"], lifetimeDays: 1000 }), { code: "LIFETIME_OUT_OF_RANGE" });
      assert.equal((await LocalCa.open(dir.dir)).records.length, 0);
      put(dir.dir, "probe.txt", "x");
    } finally {
      dir.cleanup();
    }
  });
});

/** The CSR's body with the public key of a fresh key pair: the signature no longer matches the key. */
function swapKey(csrDer: Uint8Array): string {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const fresh = publicKey.export({ format: "der", type: "spki" });
  const text = Buffer.from(csrDer);
  // Both are P-256 SPKIs of the same length; locate the CSR's by its fixed 27-byte prefix.
  const at = text.indexOf(fresh.subarray(0, 27));
  assert.ok(at > 0);
  fresh.copy(text, at);
  return toPem(text, "CERTIFICATE REQUEST");
}

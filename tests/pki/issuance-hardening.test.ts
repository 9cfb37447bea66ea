import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseRevocationReason } from "../../pki/crl";
import { createCsr } from "../../pki/csr";
import { IssuancePolicy, validateIssueRequest, validateNamePolicy, validateSans } from "../../pki/issuance-policy";
import { ipAddressFromBytes, parseIpAddress } from "../../pki/ip-address";
import { parseCaKeyAlgorithmName, parseKeyAlgorithmName, signatureHashOf } from "../../pki/key-algorithms";
import { LocalCa } from "../../pki/local-ca";
import { generatePrivateKey } from "../../pki/local-signer";
import { nameToSubject, subjectToNameDer, validateSubject } from "../../pki/names";
import { ANY_NAME_POLICY } from "../support/csr-fuzz";
import { issueLeaf, makeTestCa } from "../support/test-ca";
import { tempDir, tool } from "../support/tools";

const PROTOTYPE_NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

describe("pki: IP SANs are certified as the policy checked them", () => {
  it("parses every IPv6 text form to 16 octets and one canonical form, and refuses zone ids", () => {
    const hex = (text: string) => Buffer.from(parseIpAddress(text, "ip").bytes).toString("hex");
    assert.equal(hex("::ffff:10.1.2.3"), "00000000000000000000ffff0a010203");
    assert.equal(hex("64:ff9b::192.168.1.1"), "0064ff9b0000000000000000c0a80101");
    assert.equal(hex("::"), "0".repeat(32));
    assert.equal(hex("10.1.2.3"), "0a010203");
    assert.equal(parseIpAddress("::FFFF:10.1.2.3", "ip").canonical, "::ffff:a01:203");
    assert.equal(parseIpAddress("2001:DB8:0:0:1:0:0:1", "ip").canonical, "2001:db8::1:0:0:1");
    assert.throws(() => parseIpAddress("fe80::1%eth0", "sans[0]"), { code: "SAN_INVALID", field: "sans[0]", message: /zone id/ });
    for (const bad of ["010.1.2.3", "1.2.3", "::ffff:010.1.2.3", "1::2::3", "example.com"]) assert.throws(() => parseIpAddress(bad, "ip"), { code: "SAN_INVALID" }, bad);
    assert.equal(ipAddressFromBytes(Buffer.from("00000000000000000000ffff0a010203", "hex"), "ip").canonical, "::ffff:a01:203");
    assert.throws(() => ipAddressFromBytes(Buffer.from([10, 0, 0, 0, 255, 0, 0, 0]), "csrPem.subjectAltName[1]"), { code: "SAN_INVALID", field: "csrPem.subjectAltName[1]" });
  });

  it("openssl reads in the certificate exactly the addresses that were asked for", async () => {
    const ca = await makeTestCa();
    const asked = ["::ffff:10.1.2.3", "64:ff9b::192.168.1.1", "10.0.0.1", "2001:db8::1", "fe80::1"];
    const leaf = await issueLeaf(ca, { purposes: ["server_auth"], sans: asked.map((value) => ({ type: "ip", value })), policy: ANY_NAME_POLICY });
    const text = tool("openssl", ["x509", "-noout", "-ext", "subjectAltName"], { input: leaf.certificate.pem });
    assert.equal(text.status, 0, text.output);
    // openssl prints IPv6 as eight upper-case groups without compression.
    assert.equal(
      text.stdout.split("\n")[1]!.trim(),
      "IP Address:0:0:0:0:0:FFFF:A01:203, IP Address:64:FF9B:0:0:0:0:C0A8:101, IP Address:10.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:0:1",
    );
  });

  it("the policy compares the canonical form, so a differently written address cannot slip past or be refused by spelling", () => {
    const policy: IssuancePolicy = { ...ANY_NAME_POLICY, names: { ...ANY_NAME_POLICY.names, server_auth: { ...ANY_NAME_POLICY.names.server_auth, ipAddresses: ["::FFFF:10.1.2.3"] } } };
    const csrPem = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "api.example.com" });
    const { order } = validateIssueRequest({ csrPem, purposes: ["server_auth"], sans: ["::ffff:a01:203", "0:0:0:0:0:ffff:10.1.2.3"] }, policy);
    assert.deepEqual(order.sans, [{ type: "ip", value: "::ffff:a01:203" }], "the same address, once");
    assert.throws(() => validateIssueRequest({ csrPem, purposes: ["server_auth"], sans: ["::ffff:10.1.2.4"] }, policy), { code: "SAN_NOT_ALLOWED" });
    assert.throws(() => validateIssueRequest({ csrPem, purposes: ["server_auth"], sans: ["fe80::1%eth0"] }, ANY_NAME_POLICY), { code: "SAN_INVALID", field: "sans[0]" });
    const fromCsr = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "api.example.com" }, [{ type: "ip", value: "::ffff:10.1.2.3" }]);
    assert.deepEqual(validateIssueRequest({ csrPem: fromCsr, purposes: ["server_auth"] }, policy).order.sans, [{ type: "ip", value: "::ffff:a01:203" }]);
    assert.deepEqual(validateNamePolicy({ commonNames: [], organizationalUnits: [], dnsNames: [], ipAddresses: ["*", "::FFFF:10.1.2.3"] }, "p").ipAddresses, ["*", "::ffff:a01:203"]);
    assert.throws(() => validateNamePolicy({ commonNames: [], organizationalUnits: [], dnsNames: [], ipAddresses: ["fe80::1%eth0"] }, "p"), { field: "p.ipAddresses[0]" });
  });

  it("an openssl CSR with an IPv4-mapped address is read as that address", () => {
    const work = tempDir();
    try {
      const csr = tool("openssl", ["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", `${work.dir}/k.pem`, "-subj", "/CN=api.example.com", "-addext", "subjectAltName=IP:::ffff:10.1.2.3,IP:64:ff9b::192.168.1.1"]);
      const { order } = validateIssueRequest({ csrPem: csr.stdout, purposes: ["server_auth"] }, ANY_NAME_POLICY);
      assert.deepEqual(order.sans.map((s) => s.value), ["::ffff:a01:203", "64:ff9b::c0a8:101"]);
    } finally {
      work.cleanup();
    }
  });
});

describe("pki: names given in requests and flags", () => {
  it("refuse control, format, private-use and surrogate code points in every subject field, naming field and code point", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["commonName", "Cloud\u202EFront", /subject\.commonName contains U\+202E .* at character 6/],
      ["organization", "Serverless\u200BInc", /U\+200B/],
      ["locality", "Lon\u0000don", /U\+0000 \(a control character/],
      ["state", "Eng\u0085land", /U\+0085/],
      ["organizationalUnit", "\uFEFFCloudFront", /U\+FEFF/],
      ["commonName", "Cloud\uD800Front", /U\+D800 \(a lone surrogate/],
      ["commonName", "Cloud\u{10FFFD}", /U\+10FFFD \(a private-use/],
    ];
    for (const [key, value, message] of cases) {
      assert.throws(() => validateSubject({ [key]: value }), { code: "SUBJECT_INVALID", field: `subject.${key}`, message }, `${key}=${JSON.stringify(value)}`);
    }
    assert.deepEqual(validateSubject({ commonName: "Zoë Łódź 東京" }), { commonName: "Zoë Łódź 東京" });
  });

  it("the subject encoder itself refuses a lone surrogate (naming it) instead of writing U+FFFD, and what a PrintableString cannot hold", () => {
    assert.throws(() => subjectToNameDer({ commonName: "a\uDC00" }), { code: "SUBJECT_INVALID", field: "subject.commonName", message: /U\+DC00 \(a lone surrogate/ });
    assert.throws(() => subjectToNameDer({ commonName: "a\u202Eb" }), { code: "SUBJECT_INVALID", field: "subject.commonName", message: /U\+202E/ });
    assert.throws(() => subjectToNameDer({ country: "G\u00c9" }), { code: "SUBJECT_INVALID", field: "subject.country", message: /PrintableString/ });
  });

  it("a request's subject Name is walked as DER: what the encoder writes reads back, and anything not DER is SUBJECT_INVALID naming the subject", () => {
    const subject = { commonName: "Zoë Łódź 東京", country: "GB", locality: "London", organization: "Serverless Inc", organizationalUnit: "CloudFront", state: "England" };
    const der = subjectToNameDer(subject);
    assert.deepEqual(nameToSubject(der, "csrPem.subject"), subject);
    assert.deepEqual(nameToSubject(Uint8Array.of(0x30, 0x00), "csrPem.subject"), {}, "an empty subject");
    const cn = Uint8Array.from([0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, ...Buffer.from("test")]);
    const notDer: Array<[string, Uint8Array]> = [
      ["trailing data", Uint8Array.from([...der, 0])],
      ["a long-form short length", Uint8Array.from([0x30, 0x81, cn.length, ...cn])],
      ["an empty RDN", Uint8Array.of(0x30, 0x02, 0x31, 0x00)],
      ["a type that is not an OID", Uint8Array.from([0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x04, ...cn.subarray(5)])],
      ["data after the value", Uint8Array.from([0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, ...cn.subarray(4), 0x05, 0x00])],
    ];
    assert.deepEqual(nameToSubject(Uint8Array.from([0x30, cn.length, ...cn]), "csrPem.subject"), { commonName: "test" }, "the hand-made RDN is right");
    for (const [what, bytes] of notDer) {
      assert.throws(() => nameToSubject(bytes, "csrPem.subject"), { code: "SUBJECT_INVALID", field: "csrPem.subject", message: /is not a readable Name/ }, what);
    }
  });

  it("refuses more than 100 subjectAltNames (CSR and request together) before anything is signed", async () => {
    const key = generatePrivateKey("ecdsa-p256");
    const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `host-${from + i}.example.com`);
    const csrPem = createCsr(key, { commonName: "many" }, names(60).map((value) => ({ type: "dns" as const, value })));
    const policy = ANY_NAME_POLICY;
    assert.equal(validateIssueRequest({ csrPem, purposes: ["server_auth"], sans: names(40, 60) }, policy).order.sans.length, 100);
    assert.throws(() => validateIssueRequest({ csrPem, purposes: ["server_auth"], sans: names(41, 60) }, policy), { code: "SAN_INVALID", field: "sans", message: /101 subjectAltNames; at most 100/ });
    assert.throws(() => validateSans(names(20_000)), { code: "SAN_INVALID", field: "sans", message: /20000 entries; at most 100/ });
    const work = tempDir();
    try {
      const ca = await LocalCa.init(work.dir);
      await assert.rejects(ca.issue({ csrPem, purposes: ["server_auth"], sans: names(5_000, 60) }), { code: "SAN_INVALID" });
      assert.equal(ca.records.length, 0);
    } finally {
      work.cleanup();
    }
  });

  it("CRL and CA-issuer URLs must be written as URIs (ASCII): what the certificate carries is what was given, or a refusal", async () => {
    const work = tempDir();
    try {
      for (const url of ["http://\u00e9x.example/issuing.crl", "http://x.example/\u202eissuing.crl", "http://x.example/a b.crl", "http://x.example/\u0000.crl"]) {
        await assert.rejects(LocalCa.init(join(work.dir, "refused"), { leafProfile: { crlUrls: [url] } }), { code: "REQUEST_INVALID", field: "crlUrls", message: /not an ASCII URI/ }, JSON.stringify(url));
        await assert.rejects(LocalCa.init(join(work.dir, "refused"), { issuingProfile: { caIssuersUrls: [url] } }), { code: "REQUEST_INVALID", field: "caIssuersUrls" }, JSON.stringify(url));
      }
      assert.ok(!existsSync(join(work.dir, "refused")), "nothing created");
      const url = "http://xn--x-9fa.example/issuing%E2%80%AE.crl"; // the same address written as a URI
      const ca = await LocalCa.init(join(work.dir, "ca"), { leafProfile: { crlUrls: [url] } });
      const leaf = await ca.issue({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "a" }), purposes: ["client_auth"] });
      const shown = tool("openssl", ["x509", "-noout", "-ext", "crlDistributionPoints"], { input: leaf.pem });
      assert.match(shown.stdout, new RegExp(`URI:${url.replace(/[.%]/g, "\\$&")}\n`));
    } finally {
      work.cleanup();
    }
  });

  it("request SANs name the code point too", () => {
    assert.throws(() => validateSans(["a\u202Eb.example.com"]), { code: "SAN_INVALID", field: "sans[0]", message: /U\+202E/ });
    assert.throws(() => validateSans([{ type: "dns", value: "a.example.com\u0000.evil.net" }]), { code: "SAN_INVALID", message: /U\+0000/ });
  });
});

describe("pki: lookups by name use own properties only", () => {
  it("revocation reasons: prototype names and removeFromCRL are refused", () => {
    for (const name of [...PROTOTYPE_NAMES, "removeFromCRL"]) {
      assert.throws(() => parseRevocationReason(name), { code: "REASON_UNKNOWN", field: "reason" }, name);
    }
    assert.throws(() => parseRevocationReason("removeFromCRL"), { message: /only.*delta CRL|delta CRL/ });
    assert.equal(parseRevocationReason("keyCompromise"), "keyCompromise");
    assert.equal(parseRevocationReason("certificateHold"), "certificateHold");
  });

  it("key types and signature algorithms: prototype names are refused", () => {
    for (const name of PROTOTYPE_NAMES) {
      assert.throws(() => parseKeyAlgorithmName(name, "--key-type"), { code: "KEY_UNSUPPORTED", field: "--key-type" }, name);
      assert.throws(() => parseCaKeyAlgorithmName(name, "--root-key"), { code: "KEY_UNSUPPORTED" }, name);
      assert.equal(signatureHashOf(name), undefined);
    }
    assert.equal(signatureHashOf("1.2.840.10045.4.3.2"), "sha256");
  });

  it("a local CA refuses to revoke with such a reason and writes nothing", async () => {
    const work = tempDir();
    try {
      const ca = await LocalCa.init(work.dir);
      const issued = await ca.issue({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "user-1" }), purposes: ["client_auth"] });
      for (const reason of ["__proto__", "constructor", "removeFromCRL"]) assert.throws(() => ca.revoke(issued.serialHex, reason), { code: "REASON_UNKNOWN" });
      assert.equal((await LocalCa.open(work.dir)).records[0]!.status, "valid");
    } finally {
      work.cleanup();
    }
  });
});

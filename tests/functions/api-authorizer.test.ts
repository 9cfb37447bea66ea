import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { dnValue, formatAwsDate, parseAwsDate, parseAwsDn } from "../../functions/api-authorizer/aws-format";
import { AuthorizerPolicy, CERTIFICATE_CACHE_SIZE, decide, issuerCheckFor, RevocationStatus, secretEquals } from "../../functions/api-authorizer/decide";
import { cachedCrl, checkCrlNumber, handle, readAuthorizerPolicy } from "../../functions/api-authorizer";
import { createIssuingCertificate } from "../../pki/ca";
import { buildCrl } from "../../pki/crl";
import { LocalSigner } from "../../pki/local-signer";
import { randomSerialHex, normaliseSerial } from "../../pki/serial";
import { authorizerEvent, SECRET, SECRET_HEADER } from "../support/authorizer-events";
import { issueLeaf, makeTestCa, TestCa, TestLeaf } from "../support/test-ca";
import { tempDir, tool } from "../support/tools";

const BASE_POLICY = { allowedSubjects: [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }], secretHeaderName: SECRET_HEADER, secretValues: [SECRET] };
/** The policy of the decision tests: their issuing CA is made in `before`. */
let POLICY: AuthorizerPolicy = { ...BASE_POLICY, issuingCaPem: "" };
const NOTHING_REVOKED: RevocationStatus = { available: true, revokedSerials: new Set() };

describe("functions: API Gateway's certificate formats", () => {
  it("parses the how-to's subject DN in API Gateway's form", () => {
    const dn = parseAwsDn("CN=CloudFront,C=GB,L=London,O=Serverless Inc,OU=CloudFront,ST=England")!;
    assert.deepEqual(dn.map((a) => a.type), ["CN", "C", "L", "O", "OU", "ST"]);
    assert.equal(dnValue(dn, "O"), "Serverless Inc");
    assert.equal(dnValue(dn, "ou"), "CloudFront");
  });

  it("honours escaped commas and plus signs, and refuses malformed DNs", () => {
    const dn = parseAwsDn("CN=Smith\\, John,OU=R\\+D,O=Acme")!;
    assert.equal(dnValue(dn, "CN"), "Smith, John");
    assert.equal(dnValue(dn, "OU"), "R+D");
    assert.equal(parseAwsDn("CN=a,OU"), undefined);
    assert.equal(parseAwsDn(""), undefined);
    assert.equal(parseAwsDn("CN=a\\"), undefined);
    assert.equal(parseAwsDn(42), undefined);
    assert.equal(dnValue(parseAwsDn("OU=a,OU=b,CN=c")!, "OU"), undefined, "an attribute given twice is ambiguous");
  });

  it("parses and prints API Gateway's dates (the how-to's log values)", () => {
    assert.equal(parseAwsDate("May 14 16:47:38 2026 GMT")!.toISOString(), "2026-05-14T16:47:38.000Z");
    assert.equal(parseAwsDate("Feb  3 06:02:08 2026 GMT")!.toISOString(), "2026-02-03T06:02:08.000Z");
    assert.equal(formatAwsDate(new Date("2026-02-03T06:02:08Z")), "Feb  3 06:02:08 2026 GMT");
    assert.equal(parseAwsDate("2026-05-14T16:47:38Z"), undefined);
    assert.equal(parseAwsDate("Foo 14 16:47:38 2026 GMT"), undefined);
  });

  it("compares secrets in constant time, for any lengths", () => {
    assert.equal(secretEquals("abc", "abc"), true);
    assert.equal(secretEquals("abc", "abd"), false);
    assert.equal(secretEquals("", "abc"), false);
  });
});

describe("functions: api-authorizer decisions", function () {
  this.timeout(60_000);
  let ca: TestCa;
  let cloudfront: TestLeaf;
  let user: TestLeaf;
  let foreignCloudfront: TestLeaf;
  const now = () => new Date();

  before(async () => {
    ca = await makeTestCa();
    cloudfront = await issueLeaf(ca, { subject: { commonName: "CloudFront", country: "GB", locality: "London", organization: "Serverless Inc", organizationalUnit: "CloudFront", state: "England" } });
    user = await issueLeaf(ca, { subject: { commonName: "My Test Certificate", organizationalUnit: "Security Operations" } });
    foreignCloudfront = await issueLeaf(await makeTestCa({ name: "Foreign" }), { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
    POLICY = { ...BASE_POLICY, issuingCaPem: ca.issuingPem };
  });

  it("builds events whose subject DN is in API Gateway's form", () => {
    assert.equal(authorizerEvent(cloudfront.certificate.pem).requestContext.identity.clientCert.subjectDN, "CN=CloudFront,C=GB,L=London,O=Serverless Inc,OU=CloudFront,ST=England");
  });

  type Case = [name: string, event: () => unknown, revocation: RevocationStatus | (() => RevocationStatus), allow: boolean, reason: RegExp];
  const cases: Case[] = [
    ["CloudFront's certificate with the secret header", () => authorizerEvent(cloudfront.certificate.pem), NOTHING_REVOKED, true, /^allowed$/],
    ["the header name in another case", () => authorizerEvent(cloudfront.certificate.pem, { "x-origin-verify": SECRET }), NOTHING_REVOKED, true, /^allowed$/],
    ["bypass: a valid user certificate straight to the API", () => authorizerEvent(user.certificate.pem, {}), NOTHING_REVOKED, false, /origin secret header missing/],
    ["bypass: a valid user certificate with a guessed header", () => authorizerEvent(user.certificate.pem, { [SECRET_HEADER]: "guess" }), NOTHING_REVOKED, false, /does not match/],
    ["a user certificate even with the right secret", () => authorizerEvent(user.certificate.pem), NOTHING_REVOKED, false, /not on the allow-list/],
    ["wrong OU", () => withDn(authorizerEvent(cloudfront.certificate.pem), "CN=CloudFront,OU=Marketing"), NOTHING_REVOKED, false, /not on the allow-list/],
    ["wrong CN", () => withDn(authorizerEvent(cloudfront.certificate.pem), "CN=CloudFrontX,OU=CloudFront"), NOTHING_REVOKED, false, /not on the allow-list/],
    ["a DN string that the certificate does not carry", () => withDn(authorizerEvent(user.certificate.pem), "CN=CloudFront,OU=CloudFront"), NOTHING_REVOKED, false, /does not match the certificate/],
    ["no client certificate", () => ({ ...authorizerEvent(cloudfront.certificate.pem), requestContext: { identity: { clientCert: null } } }), NOTHING_REVOKED, false, /no client certificate/],
    ["secret header missing", () => authorizerEvent(cloudfront.certificate.pem, {}), NOTHING_REVOKED, false, /missing/],
    ["secret header wrong", () => authorizerEvent(cloudfront.certificate.pem, { [SECRET_HEADER]: SECRET + "x" }), NOTHING_REVOKED, false, /does not match/],
    ["secret header repeated", () => ({ ...authorizerEvent(cloudfront.certificate.pem), headers: {}, multiValueHeaders: { [SECRET_HEADER]: [SECRET, SECRET] } }), NOTHING_REVOKED, false, /missing/],
    ["expired", () => expiredEvent(), NOTHING_REVOKED, false, /outside its validity/],
    ["revoked", () => authorizerEvent(cloudfront.certificate.pem), () => ({ available: true, revokedSerials: new Set([normaliseSerial(cloudfront.certificate.serialHex)]) }), false, /revoked/],
    ["revocation status unknown (no valid CRL)", () => authorizerEvent(cloudfront.certificate.pem), { available: false, reason: "CRL_STALE" }, false, /revocation status unknown: CRL_STALE/],
    ["a foreign CA's CloudFront certificate with the right secret (defence in depth behind API Gateway's truststore)", () => authorizerEvent(foreignCloudfront.certificate.pem), NOTHING_REVOKED, false, /not issued by the issuing CA/],
  ];
  let expiredPem = "";
  before(async () => {
    expiredPem = (await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" }, lifetimeDays: 30, now: new Date(Date.now() - 60 * 86400_000) })).certificate.pem;
  });
  const expiredEvent = () => authorizerEvent(expiredPem);
  const withDn = (event: ReturnType<typeof authorizerEvent>, dn: string) => {
    event.requestContext.identity.clientCert.subjectDN = dn;
    return event;
  };

  for (const [name, event, revocation, allow, reason] of cases) {
    it(`${allow ? "allows" : "denies"}: ${name}`, () => {
      const decision = decide(event(), POLICY, typeof revocation === "function" ? revocation() : revocation, now());
      assert.equal(decision.allow, allow, decision.reason);
      assert.match(decision.reason, reason);
    });
  }

  it("accepts the previous secret during a rotation", () => {
    const rotating = { ...POLICY, secretValues: ["new-secret-0123456789-0123456789-0123", SECRET] };
    assert.equal(decide(authorizerEvent(cloudfront.certificate.pem), rotating, NOTHING_REVOKED, now()).allow, true);
  });

  it("answers API Gateway with an IAM policy for the method, and never throws even when revocation fails", async () => {
    const logs: string[] = [];
    const log = { info: (e: string, f?: object) => logs.push(JSON.stringify({ e, ...f })), error: () => undefined, metric: () => undefined };
    const allowed = await handle(authorizerEvent(cloudfront.certificate.pem), { policy: POLICY, revocation: async () => NOTHING_REVOKED, clock: now, log });
    assert.deepEqual(allowed.policyDocument.Statement, [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:eu-west-2:222222222222:rehearsal/prod/POST/api" }]);
    const failing = await handle(authorizerEvent(cloudfront.certificate.pem), { policy: POLICY, revocation: async () => { throw new Error("S3 down"); }, clock: now, log });
    assert.equal(failing.policyDocument.Statement[0]!.Effect, "Deny");
    assert.equal(failing.context.reason, "revocation status unknown: S3 down");
    assert.ok(logs.every((l) => !l.includes(SECRET) && !l.includes("BEGIN CERTIFICATE")), "neither the secret nor the PEM is logged");
    for (const junk of [null, undefined, 42, "x", [], { requestContext: 5 }]) assert.equal((await handle(junk, { policy: POLICY, revocation: async () => NOTHING_REVOKED, clock: now, log })).policyDocument.Statement[0]!.Effect, "Deny");
    // An Allow is only ever for the method asked about: never for "*".
    for (const methodArn of [undefined, "", "*", 42, "arn:aws:execute-api:eu-west-2:222222222222:rehearsal/*"]) {
      const answer = await handle({ ...authorizerEvent(cloudfront.certificate.pem), methodArn }, { policy: POLICY, revocation: async () => NOTHING_REVOKED, clock: now, log });
      assert.deepEqual([answer.policyDocument.Statement[0]!.Effect, answer.context.reason], ["Deny", "no usable methodArn in the event"], String(methodArn));
    }
  });

  it("denies CloudFront-named certificates that do not chain to the issuing CA for clientAuth, even with the right secret", async () => {
    const allowNothingRevoked = (pem: string) => decide(authorizerEvent(pem), POLICY, NOTHING_REVOKED, now());
    // Same CA names, another key: the name matches, the signature cannot.
    const lookalike = await issueLeaf(await makeTestCa({ name: "Test" }), { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
    assert.match(allowNothingRevoked(lookalike.certificate.pem).reason, /not issued by the issuing CA|signature does not verify/);
    assert.equal(allowNothingRevoked(lookalike.certificate.pem).allow, false);
    // Our CA, but for TLS servers only.
    const serverOnly = await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" }, purposes: ["server_auth"], sans: [{ type: "dns", value: "cloudfront.example.com" }] });
    assert.deepEqual([allowNothingRevoked(serverOnly.certificate.pem).allow, allowNothingRevoked(serverOnly.certificate.pem).reason], [false, "certificate lacks the clientAuth extended key usage"]);
    // Made by openssl: self-signed, and signed by a CA openssl made with the issuing CA's very name.
    const { dir, cleanup } = tempDir();
    try {
      const selfSigned = tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${dir}/self.key`, "-subj", "/CN=CloudFront/OU=CloudFront", "-addext", "extendedKeyUsage=clientAuth", "-days", "2"]);
      assert.equal(selfSigned.status, 0, selfSigned.stderr);
      assert.equal(allowNothingRevoked(selfSigned.stdout).allow, false);
      assert.match(allowNothingRevoked(selfSigned.stdout).reason, /not issued by the issuing CA/);
      const issuerSubject = "/" + new X509Certificate(ca.issuingPem).subject.split("\n").join("/");
      const fakeCa = tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${dir}/ca.key`, "-out", `${dir}/ca.pem`, "-subj", issuerSubject, "-addext", "basicConstraints=critical,CA:TRUE", "-days", "2"]);
      assert.equal(fakeCa.status, 0, fakeCa.stderr);
      tool("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${dir}/leaf.key`, "-out", `${dir}/leaf.csr`, "-subj", "/CN=CloudFront/OU=CloudFront"]);
      writeFileSync(`${dir}/leaf.ext`, "extendedKeyUsage=clientAuth\n");
      const forged = tool("openssl", ["x509", "-req", "-in", `${dir}/leaf.csr`, "-CA", `${dir}/ca.pem`, "-CAkey", `${dir}/ca.key`, "-days", "2", "-extfile", `${dir}/leaf.ext`]);
      assert.equal(forged.status, 0, forged.stderr);
      assert.equal(new X509Certificate(forged.stdout).issuer, new X509Certificate(ca.issuingPem).subject, "the forged certificate names our issuing CA");
      assert.equal(allowNothingRevoked(forged.stdout).allow, false);
      assert.match(allowNothingRevoked(forged.stdout).reason, /not issued by the issuing CA|signature does not verify/);
    } finally {
      cleanup();
    }
    // A CA certificate named CloudFront, signed by the issuing CA's key.
    const subCa = await createIssuingCertificate(ca.issuing, await LocalSigner.generate("ecdsa-p256").publicKey(), { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" }, lifetimeDays: 30 });
    assert.deepEqual([allowNothingRevoked(subCa.pem).allow, allowNothingRevoked(subCa.pem).reason], [false, "certificate is a CA certificate"]);
    // A misconfigured issuing CA vouches for nothing.
    assert.deepEqual(decide(authorizerEvent(cloudfront.certificate.pem), { ...POLICY, issuingCaPem: "not a certificate" }, NOTHING_REVOKED, now()).reason, "the issuing CA certificate is unreadable");
    // And the genuine one still passes.
    assert.equal(allowNothingRevoked(cloudfront.certificate.pem).allow, true);
  });

  it("remembers what it learnt of each certificate, for at most a bounded number of certificates", async () => {
    const check = issuerCheckFor(ca.issuingPem);
    decide(authorizerEvent(cloudfront.certificate.pem), POLICY, NOTHING_REVOKED, now());
    const before = check.cachedCount;
    for (let i = 0; i < 5; i++) decide(authorizerEvent(cloudfront.certificate.pem), POLICY, NOTHING_REVOKED, now());
    assert.equal(check.cachedCount, before, "the same PEM is examined once");
    const many = await Promise.all(Array.from({ length: CERTIFICATE_CACHE_SIZE + 6 }, () => issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } })));
    for (const leaf of many) assert.equal(decide(authorizerEvent(leaf.certificate.pem), POLICY, NOTHING_REVOKED, now()).allow, true);
    assert.equal(check.cachedCount, CERTIFICATE_CACHE_SIZE);
    // A revoked certificate stays revoked whether or not it is cached: revocation is checked per request.
    const revokedNow: RevocationStatus = { available: true, revokedSerials: new Set([normaliseSerial(many[0]!.certificate.serialHex)]) };
    assert.match(decide(authorizerEvent(many[0]!.certificate.pem), POLICY, revokedNow, now()).reason, /revoked/);
  });

  it("10,000 random or mutated events: no exception, never Allow", () => {
    const valid = () => authorizerEvent(cloudfront.certificate.pem);
    // Mutations that must each lead to a deny, applied on top of a valid event.
    const mutations: Array<(e: any, s: string) => void> = [
      // API Gateway fills headers and multiValueHeaders alike: change both.
      (e, s) => {
        e.headers[SECRET_HEADER] = s + (s === SECRET ? "!" : "");
        e.multiValueHeaders[SECRET_HEADER] = [e.headers[SECRET_HEADER]];
      },
      (e) => {
        delete e.headers[SECRET_HEADER];
        delete e.multiValueHeaders[SECRET_HEADER];
      },
      (e, s) => (e.requestContext.identity.clientCert.subjectDN = s),
      (e, s) => (e.requestContext.identity.clientCert.clientCertPem = s),
      (e, s) => (e.requestContext.identity.clientCert.clientCertPem = e.requestContext.identity.clientCert.clientCertPem.replace(/[A-Za-z]/, s.slice(0, 1) || "A").replace(/M/, "N")),
      (e, s) => (e.requestContext.identity.clientCert = s),
      (e, s) => (e.requestContext.identity = s),
      (e, s) => (e.requestContext = s),
      (e, s) => (e.requestContext.identity.clientCert.validity.notAfter = formatAwsDate(new Date(Date.now() - 1000 - s.length * 86400_000))),
      (e, s) => (e.requestContext.identity.clientCert.subjectDN = `CN=${s},OU=CloudFront`),
    ];
    let denied = 0;
    fc.assert(
      fc.property(fc.anything(), (event) => {
        const decision = decide(event, POLICY, NOTHING_REVOKED, now());
        assert.equal(decision.allow, false);
        denied++;
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: mutations.length - 1 }), fc.string()), { minLength: 1, maxLength: 3 }), (steps) => {
        const event = valid();
        for (const [index, text] of steps) {
          try {
            mutations[index]!(event, text);
          } catch {
            // a mutation on a field an earlier one removed: the event is broken either way
          }
        }
        const decision = decide(event, POLICY, NOTHING_REVOKED, now());
        // A mutation to the exact same value leaves the event valid; everything else must be denied.
        const untouched = JSON.stringify(event) === JSON.stringify(valid());
        assert.equal(decision.allow, untouched, `${decision.reason} after ${JSON.stringify(steps)}`);
        if (!untouched) denied++;
      }),
      { numRuns: 5000 },
    );
    assert.ok(denied >= 9900, `${denied} denials`);
  });
});

describe("functions: api-authorizer CRL cache", function () {
  this.timeout(30_000);
  it("uses a verified CRL, caches it, survives a failed refresh while valid, and fails closed without one", async () => {
    const ca = await makeTestCa();
    const revokedLeaf = await issueLeaf(ca);
    const t0 = new Date();
    const crl = await buildCrl(ca.issuing, { crlNumber: 1, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [{ serialHex: revokedLeaf.certificate.serialHex, revokedAt: t0, reason: "keyCompromise", notAfter: revokedLeaf.certificate.notAfter }] });
    let fetches = 0;
    let failing = false;
    let clock = t0;
    const source = cachedCrl(async () => { fetches++; if (failing) throw new Error("S3 unavailable"); return crl.der; }, ca.issuingPem, 300_000, () => clock);
    const first = await source();
    assert.ok(first.available && first.revokedSerials.has(normaliseSerial(revokedLeaf.certificate.serialHex)));
    await source();
    assert.equal(fetches, 1, "cached within the TTL");
    clock = new Date(t0.getTime() + 600_000);
    failing = true;
    assert.equal((await source()).available, true, "a failed refresh keeps the still-valid CRL");
    clock = new Date(t0.getTime() + 3700_000);
    const expired = await source();
    assert.equal(expired.available, false, "past nextUpdate with no fresh CRL: unknown, so deny");
    const forged = await buildCrl((await makeTestCa({ name: "Forger" })).issuing, { crlNumber: 1, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [] });
    const untrusted = await cachedCrl(async () => forged.der, ca.issuingPem, 300_000, () => t0)();
    assert.deepEqual(untrusted, { available: false, reason: "the CRL's signature does not verify with the issuing CA's key" });
  });

  it("remembers a failed fetch or a refused CRL with backoff instead of fetching on every request", async () => {
    const ca = await makeTestCa();
    const t0 = new Date();
    let clock = t0;
    let fetches = 0;
    let answer: () => Uint8Array = () => {
      throw new Error("NoSuchKey");
    };
    const source = cachedCrl(async () => (fetches++, answer()), ca.issuingPem, 300_000, () => clock, { retryAfterMs: 5_000, maxRetryAfterMs: 60_000 });
    for (let i = 0; i < 50; i++) assert.deepEqual(await source(), { available: false, reason: "NoSuchKey" });
    assert.equal(fetches, 1, "50 requests, one fetch");
    const at = async (ms: number) => ((clock = new Date(t0.getTime() + ms)), source());
    await at(4_999);
    assert.equal(fetches, 1);
    await at(5_000);
    assert.equal(fetches, 2, "retried after 5 s");
    await at(14_999);
    assert.equal(fetches, 2, "then waits 10 s");
    await at(15_000);
    assert.equal(fetches, 3);
    const garbage = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]);
    answer = () => garbage;
    await at(35_000);
    assert.equal(fetches, 4);
    const unreadable = await at(36_000);
    assert.equal(fetches, 4, "an unreadable CRL is remembered too");
    assert.equal(unreadable.available, false);
    const crl = await buildCrl(ca.issuing, { crlNumber: 2, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [] });
    answer = () => crl.der;
    assert.equal((await at(100_000)).available, true, "recovers at the next attempt");
    assert.equal(fetches, 5);
  });

  it("refuses a CRL older than one already accepted, and keeps the newer one until its nextUpdate", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca);
    const t0 = new Date();
    const entry = { serialHex: leaf.certificate.serialHex, revokedAt: t0, reason: "keyCompromise" as const, notAfter: leaf.certificate.notAfter };
    const newer = await buildCrl(ca.issuing, { crlNumber: 7, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [entry] });
    const older = await buildCrl(ca.issuing, { crlNumber: 6, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 7200_000), entries: [] });
    let served = newer.der;
    let clock = t0;
    const errors: string[] = [];
    const log = { info: () => undefined, error: (_: string, f?: object) => errors.push(JSON.stringify(f)), metric: () => undefined };
    const source = cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock, { log });
    const first = await source();
    assert.ok(first.available && first.revokedSerials.has(normaliseSerial(leaf.certificate.serialHex)));
    served = older.der;
    clock = new Date(t0.getTime() + 120_000);
    const afterRollback = await source();
    assert.ok(afterRollback.available && afterRollback.revokedSerials.has(normaliseSerial(leaf.certificate.serialHex)), "the revoked serial stays revoked");
    assert.match(errors.join(), /number 6 is older than CRL number 7/);
    clock = new Date(t0.getTime() + 3600_000);
    assert.deepEqual(await source(), { available: false, reason: "the CRL's number 6 is older than CRL number 7 already accepted" }, "past the newer CRL's nextUpdate: fail closed, never fall back to the older CRL");
    assert.equal(checkCrlNumber(undefined, 3n), 3n);
    assert.equal(checkCrlNumber(3n, 3n), 3n, "the same CRL again is fine");
    assert.equal(checkCrlNumber(3n, 4n), 4n);
  });

  it("compares CRL numbers exactly past 2^53: a CRL one below the accepted one is refused even where JavaScript numbers are equal", async () => {
    const ca = await makeTestCa();
    const t0 = new Date();
    const accepted = 2n ** 64n + 1n;
    assert.equal(Number(accepted), Number(accepted - 1n), "as JavaScript numbers the two are the same");
    assert.throws(() => checkCrlNumber(accepted, accepted - 1n), { code: "CRL_ROLLBACK", message: "the CRL's number 18446744073709551616 is older than CRL number 18446744073709551617 already accepted" });
    assert.equal(checkCrlNumber(accepted - 1n, accepted), accepted);
    const crl = (crlNumber: bigint) => buildCrl(ca.issuing, { crlNumber, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [] });
    const newer = await crl(accepted);
    const older = await crl(accepted - 1n);
    let served = newer.der;
    let clock = t0;
    const errors: string[] = [];
    const log = { info: () => undefined, error: (_: string, f?: { reason?: unknown }) => errors.push(String(f?.reason)), metric: () => undefined };
    const source = cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock, { log });
    assert.equal((await source()).available, true);
    served = older.der;
    clock = new Date(t0.getTime() + 120_000);
    assert.equal((await source()).available, true, "the newer CRL is kept");
    assert.deepEqual(errors, ["the CRL's number 18446744073709551616 is older than CRL number 18446744073709551617 already accepted"]);
  });

  it("revalidates with the ETag and keeps the CRL when S3 answers 'not modified'", async () => {
    const ca = await makeTestCa();
    const t0 = new Date();
    const crl = await buildCrl(ca.issuing, { crlNumber: 1, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [] });
    const asked: (string | undefined)[] = [];
    let clock = t0;
    const source = cachedCrl(async ({ etag }) => (asked.push(etag), etag === '"e1"' ? { notModified: true } : { body: crl.der, etag: '"e1"' }), ca.issuingPem, 60_000, () => clock);
    assert.equal((await source()).available, true);
    clock = new Date(t0.getTime() + 61_000);
    assert.equal((await source()).available, true);
    clock = new Date(t0.getTime() + 90_000);
    await source();
    assert.deepEqual(asked, [undefined, '"e1"'], "one revalidation, then cached again for the TTL");
  });

  it("a CRL past its nextUpdate that S3 answers 'not modified' is a failure, backed off like any other, not a fetch per request", async () => {
    const ca = await makeTestCa();
    const t0 = new Date();
    const crl = await buildCrl(ca.issuing, { crlNumber: 1, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [] });
    let fetches = 0;
    let clock = t0;
    // The CA stopped publishing: the object never changes, so every conditional GET answers 304.
    const source = cachedCrl(async ({ etag }) => (fetches++, etag === '"e1"' ? { notModified: true } : { body: crl.der, etag: '"e1"' }), ca.issuingPem, 60_000, () => clock, { retryAfterMs: 5_000 });
    assert.equal((await source()).available, true);
    clock = new Date(t0.getTime() + 3600_000 + 1000);
    const statuses = [];
    for (let i = 0; i < 50; i++) statuses.push(await source());
    assert.equal(fetches, 2, "50 requests past nextUpdate, one revalidation");
    assert.ok(statuses.every((s) => !s.available && /past its nextUpdate/.test(s.reason)), JSON.stringify(statuses[0]));
    clock = new Date(t0.getTime() + 3600_000 + 6000);
    await source();
    assert.equal(fetches, 3, "retried after the backoff");
  });

  it("while a valid CRL is in hand, a slow refresh does not hold requests up: they are decided on that CRL", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca);
    const t0 = new Date();
    const crl = await buildCrl(ca.issuing, { crlNumber: 1, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: [{ serialHex: leaf.certificate.serialHex, revokedAt: t0, reason: "keyCompromise", notAfter: leaf.certificate.notAfter }] });
    let clock = t0;
    let fetches = 0;
    let hang: (() => void) | undefined;
    const source = cachedCrl(
      async () => {
        fetches++;
        if (fetches === 1) return crl.der;
        await new Promise<void>((resolve) => (hang = resolve)); // S3 that does not answer (10 s socket timeouts, retries)
        throw new Error("S3 request timed out after 10 s");
      },
      ca.issuingPem,
      60_000,
      () => clock,
      { refreshWaitMs: 20 },
    );
    assert.equal((await source()).available, true);
    clock = new Date(t0.getTime() + 61_000);
    const started = Date.now();
    const during = await Promise.all([source(), source(), source()]);
    assert.ok(Date.now() - started < 2_000, `answered in ${Date.now() - started} ms`);
    assert.ok(during.every((s) => s.available && s.revokedSerials.has(normaliseSerial(leaf.certificate.serialHex))), "decided on the CRL in hand, which still revokes the serial");
    assert.equal(fetches, 2, "one refresh in flight, not one per request");
    hang!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await source()).available, true, "the failed refresh is backed off and the valid CRL kept");
    assert.equal(fetches, 2);
    // Without a valid CRL there is nothing to decide on: the request waits for the fetch.
    let slowFetches = 0;
    const cold = cachedCrl(async () => (slowFetches++, await new Promise((resolve) => setTimeout(resolve, 100)), crl.der), ca.issuingPem, 60_000, () => t0, { refreshWaitMs: 20 });
    assert.equal((await cold()).available, true, "the first request waits for the CRL");
  });

  it("decides against a real 100,000-entry CRL, read and verified by the streaming reader", async () => {
    const ca = await makeTestCa();
    const leaf = await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
    const t0 = new Date();
    const entries = Array.from({ length: 100_000 }, () => ({ serialHex: randomSerialHex(), revokedAt: t0, reason: "keyCompromise" as const, notAfter: leaf.certificate.notAfter }));
    const crl = (crlNumber: number, listed: typeof entries) => buildCrl(ca.issuing, { crlNumber, thisUpdate: t0, nextUpdate: new Date(t0.getTime() + 3600_000), entries: listed });
    let served = (await crl(9, entries)).der;
    let clock = t0;
    const policy = { ...BASE_POLICY, issuingCaPem: ca.issuingPem };
    const source = cachedCrl(async () => served, ca.issuingPem, 60_000, () => clock);
    const status = await source();
    assert.ok(status.available && entries.slice(0, 1000).every((e) => status.revokedSerials.has(normaliseSerial(e.serialHex))), "listed serials are revoked");
    assert.equal(decide(authorizerEvent(leaf.certificate.pem), policy, status, clock).allow, true);
    served = (await crl(10, [...entries, { serialHex: leaf.certificate.serialHex, revokedAt: t0, reason: "keyCompromise", notAfter: leaf.certificate.notAfter }])).der;
    clock = new Date(t0.getTime() + 61_000);
    assert.match(decide(authorizerEvent(leaf.certificate.pem), policy, await source(), clock).reason, /revoked/);
  });

  it("reads its policy from the environment, refusing short secrets", () => {
    const env = { ALLOWED_SUBJECTS: JSON.stringify(BASE_POLICY.allowedSubjects), ORIGIN_SECRET_HEADER: SECRET_HEADER, ORIGIN_SECRET_VALUES: JSON.stringify([SECRET]), ISSUING_CA_PEM: "pem" };
    assert.deepEqual(readAuthorizerPolicy(env), { ...BASE_POLICY, issuingCaPem: "pem" });
    assert.throws(() => readAuthorizerPolicy({ ...env, ISSUING_CA_PEM: "" }), /ISSUING_CA_PEM is not set/);
    assert.throws(() => readAuthorizerPolicy({ ...env, ORIGIN_SECRET_VALUES: JSON.stringify(["short"]) }), /at least 32 characters/);
    assert.throws(() => readAuthorizerPolicy({ ...env, ORIGIN_SECRET_HEADER: "" }), /ORIGIN_SECRET_HEADER is not set/);
  });
});

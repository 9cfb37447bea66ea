import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { handle as admin } from "../../functions/ca-admin";
import { handle as issuer } from "../../functions/ca-issuer";
import { isPkiError } from "../../pki/errors";
import { validateIssueRequest } from "../../pki/issuance-policy";
import type { HostileCase } from "../fixtures/csr-hostile/generate";
import { fakeCaWorld, TEST_CA_ENV } from "../support/ca-deps";
import { ANY_NAME_POLICY, runCsrFuzz } from "../support/csr-fuzz";
import { makeTestCa } from "../support/test-ca";

const CORPUS = join(__dirname, "..", "fixtures", "csr-hostile");
const manifest = JSON.parse(readFileSync(join(CORPUS, "manifest.json"), "utf8")) as HostileCase[];
const csrOf = (c: HostileCase) => readFileSync(join(CORPUS, c.file), "utf8");
const refusals = manifest.filter((c): c is HostileCase & { expect: { code: string; field: string } } => c.expect !== "accepted");

describe("pki: the hostile CSR corpus (tests/fixtures/csr-hostile)", () => {
  it("holds the cases the issue names, refusals and controls", () => {
    const files = manifest.map((c) => c.file);
    for (const required of ["rsa-e1.pem", "rsa-e3.pem", "rsa-e2041-bits.pem", "rsa-prime-modulus.pem", "ec-explicit-parameters.pem", "cn-rlo.pem", "cn-zero-width.pem", "cn-bmp-lone-surrogate.pem", "cn-integer.pem", "cn-octet-string.pem", "cn-sequence.pem"]) {
      assert.ok(files.includes(required), required);
    }
    assert.ok(refusals.length >= 40, `${refusals.length} refusals`);
    assert.ok(manifest.length - refusals.length >= 5, "controls that must still be accepted");
  });

  for (const c of manifest) {
    const expected = c.expect === "accepted" ? "accepted" : `${c.expect.code} (${c.expect.field})`;
    it(`${c.file}: ${c.why} → ${expected}`, () => {
      const run = () => validateIssueRequest({ csrPem: csrOf(c), purposes: ["client_auth"] }, ANY_NAME_POLICY);
      if (c.expect === "accepted") {
        run();
        return;
      }
      const { code, field } = c.expect;
      assert.throws(run, (error: unknown) => {
        assert.ok(isPkiError(error), `a typed refusal, not ${(error as Error)?.stack}`);
        assert.equal(error.code, code, error.message);
        assert.equal(error.field, field, error.message);
        return true;
      });
    });
  }

  it("names the code point and where it is", () => {
    const error = (file: string) => {
      try {
        validateIssueRequest({ csrPem: csrOf(manifest.find((c) => c.file === file)!), purposes: ["client_auth"] }, ANY_NAME_POLICY);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    };
    assert.match(error("cn-rlo.pem"), /csrPem\.subject\.commonName contains U\+202E \(a format character, Cf.*\) at character 11/);
    assert.match(error("cn-bmp-lone-surrogate.pem"), /U\+D800 \(a lone surrogate, Cs\)/);
    assert.match(error("cn-c1.pem"), /U\+0085 \(a control character, Cc\)/);
    assert.match(error("cn-private-use.pem"), /U\+E000 \(a private-use code point, Co\)/);
    assert.match(error("cn-integer.pem"), /is encoded as INTEGER, not as a character string/);
    assert.match(error("san-dns-rlo-bytes.pem"), /csrPem\.subjectAltName\[0\]: the dNSName has byte 0xE2 at position 2/);
    assert.match(error("rsa-e1.pem"), /publicExponent is 1; it must be odd, at least 65537/);
    assert.match(error("rsa-prime-modulus.pem"), /modulus is prime/);
  });
});

describe("functions: ca-issuer refuses the hostile corpus with typed errors and writes nothing", function () {
  this.timeout(120_000);
  let world: ReturnType<typeof fakeCaWorld>;

  before(async () => {
    const names = { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] };
    world = fakeCaWorld({ ...TEST_CA_ENV, ISSUANCE_POLICY: JSON.stringify({ maxLifetimeDays: 365, defaultLifetimeDays: 90, names: { client_auth: names, server_auth: names } }) });
    await admin({ action: "bootstrap" }, world.admin());
  });
  after(() => world.cleanup());

  it("answers every refusal as { error: { code, field, message } }, with no KMS signature, record or object", async () => {
    const signs = world.kms.signCalls.length;
    const writes = world.dynamo.writes.length;
    const puts = world.s3.putCount();
    for (const c of refusals) {
      const response = (await issuer({ csrPem: csrOf(c), purposes: ["client_auth"] }, world.worker(), `req-${c.file}`)) as { error?: { code: string; field?: string; message: string } };
      assert.ok(response.error, `${c.file}: ${JSON.stringify(response).slice(0, 200)}`);
      assert.equal(response.error.code, c.expect.code, `${c.file}: ${response.error.message}`);
      assert.equal(response.error.field, c.expect.field, c.file);
      assert.ok(response.error.message.length > 20);
    }
    assert.equal(world.kms.signCalls.length, signs);
    assert.equal(world.dynamo.writes.length, writes);
    assert.equal(world.s3.putCount(), puts);
  });

  it("the cases that made it throw (two malformed extensions, a lone surrogate) are typed refusals", async () => {
    for (const [file, code, field] of [
      ["ext-basic-constraints-garbage.pem", "CSR_MALFORMED", "csrPem.extensionRequest.basicConstraints"],
      ["ext-san-garbage.pem", "CSR_MALFORMED", "csrPem.extensionRequest.subjectAltName"],
      ["cn-bmp-lone-surrogate.pem", "SUBJECT_INVALID", "csrPem.subject.commonName"],
    ] as const) {
      const response = await issuer({ csrPem: readFileSync(join(CORPUS, file), "utf8"), purposes: ["client_auth"] }, world.worker());
      assert.deepEqual(Object.keys(response), ["error"], file);
      assert.equal((response as { error: { code: string } }).error.code, code);
      assert.equal((response as { error: { field: string } }).error.field, field);
    }
  });

  it("still issues the controls", async () => {
    for (const c of manifest.filter((m) => m.expect === "accepted")) {
      const response = await issuer({ csrPem: csrOf(c), purposes: ["client_auth"] }, world.worker());
      assert.ok("certificatePem" in response, `${c.file}: ${JSON.stringify(response)}`);
    }
  });
});

describe("pki: CSR fuzzing (fast-check)", function () {
  this.timeout(120_000);

  it("random bytes, mutated CSRs and re-signed hostile subjects: only typed refusals, and no refused name is ever certified", async () => {
    const ca = await makeTestCa();
    const runs = 150;
    const tally = await runCsrFuzz(ca.issuing, { seed: 13, runs });
    assert.equal(tally.tried, 6 * runs);
    assert.deepEqual(tally.crashed, [], "anything thrown that is not a PkiError");
    assert.deepEqual(tally.certifiedForbidden, [], "certificates whose names differ from what was checked, or hold forbidden code points");
    // The fuzz reaches every layer: parsing, keys, signatures, names, SANs, and issuance.
    for (const code of ["CSR_MALFORMED", "CSR_BAD_SIGNATURE", "SUBJECT_INVALID", "SAN_INVALID"]) assert.ok((tally.refused[code] ?? 0) > 0, `no ${code} in ${JSON.stringify(tally.refused)}`);
    assert.ok(tally.accepted > 20, `only ${tally.accepted} accepted: the fuzz must also exercise issuance`);
  });
});

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { UnreadableValueError } from "../../policies/normalise";
import { toPolicyResource } from "../../policies/policies";
import { patternsOverlap, publicPkiBucket } from "../../policies/rules/public-pki-bucket";
import { resourcesFromExportDocument } from "../../policies/sources";

const FIXTURE = readFileSync(join(__dirname, "..", "fixtures", "policy", "54-public-pki-bucket-policy-grants-every-object.json"), "utf8");
const PKI = ["root-ca.crt", "issuing-ca.crt", "root-ca.crl", "issuing-ca.crl"].map((key) => `arn:aws:s3:::ca-bucket-abc/${key}`);

/** The public PKI endpoint of corpus fixture 54, its bucket's policy replaced by `policy`. */
function withPolicy(policy: unknown) {
  const resources = resourcesFromExportDocument(JSON.parse(FIXTURE), "fixture");
  const bucketPolicy = resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!;
  (bucketPolicy.props as Record<string, unknown>).policy = policy;
  return resources.map(toPolicyResource);
}
const statement = (extra: Record<string, unknown>) => ({ Sid: "Reads", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", ...extra });
const findings = (policy: unknown) => publicPkiBucket.check(withPolicy(policy)).map((f) => f.message);

describe("policy public-pki-bucket: the bucket policy as IAM reads it", function () {
  this.timeout(120_000);

  it("passes a policy naming each PKI object", () => {
    assert.deepEqual(findings(JSON.stringify({ Version: "2012-10-17", Statement: [statement({ Resource: PKI })] })), []);
  });

  // IAM matches a Resource pattern against the whole ARN: `*` runs over ':' and '/'.
  for (const resource of ["arn:aws:s3:::ca-bucket-abc*", "arn:aws:s3:*:*:ca-bucket-abc/*", "arn:aws:*:::ca-bucket-abc/secret.txt", "arn:*:s3:::*", "arn:aws:s3:::ca-bucket-?bc/?", "*", "arn:aws:s3:::ca-bucket-abc/private.key"]) {
    it(`flags a statement granting s3:GetObject on ${resource}`, () => {
      const found = findings(JSON.stringify({ Version: "2012-10-17", Statement: [statement({ Resource: [...PKI, resource] })] }));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.ok(found[0]!.includes(resource === "*" ? '"*"' : resource), found[0]);
    });
  }

  it("passes wildcards that reach no object of this bucket (another bucket, the bucket ARN itself, another service)", () => {
    for (const resource of ["arn:aws:s3:::other-bucket/*", "arn:aws:s3:::ca-bucket-abc", "arn:aws:s3:::ca-bucket-ab", "arn:aws:kms:*:*:key/*", "arn:aws:s3:::ca-bucket-abcd/*"]) {
      assert.deepEqual(findings(JSON.stringify({ Version: "2012-10-17", Statement: [statement({ Resource: [...PKI, resource] })] })), [], resource);
    }
  });

  it("reads Statement as one object, NotResource and NotAction; a Condition does not narrow the finding", () => {
    assert.equal(findings({ Version: "2012-10-17", Statement: statement({ Resource: "arn:aws:s3:::ca-bucket-abc/*", Condition: { StringEquals: { "AWS:SourceArn": "x" } } }) }).length, 1);
    assert.match(findings({ Statement: [statement({ NotResource: PKI })] })[0]!, /NotResource/);
    assert.match(findings({ Statement: [{ Effect: "Allow", Principal: "*", NotAction: "s3:PutObject", Resource: PKI[0] }] })[0]!, /NotAction/);
  });

  it("a policy over S3's 20 KB limit is a finding, judged no further and at once", () => {
    const huge = JSON.stringify({ Statement: Array.from({ length: 40_000 }, () => statement({ Resource: "a*".repeat(1000) })) });
    const started = process.hrtime.bigint();
    const found = findings(huge);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /20 KB/);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 30, "bounded");
  });

  it("non-JSON policy text and values of the wrong shape are unreadable (UnreadableValueError), never a crash", () => {
    for (const policy of ["{not json", JSON.stringify({ Statement: 7 }), JSON.stringify({ Statement: [statement({ Resource: [1, 2] })] }), JSON.stringify({ Statement: [statement({ Action: { a: 1 } })] }), 42]) {
      assert.throws(() => findings(policy), UnreadableValueError, String(policy));
    }
  });

  it("random policies (Statement object or list, Resource / NotResource / Action / NotAction / Condition of any shape) give findings or UnreadableValueError, nothing else", () => {
    const resource = fc.oneof(fc.constantFrom("*", "arn:aws:s3:::ca-bucket-abc/*", ...PKI, "arn:aws:s3:::ca-bucket-abc", "arn:*:*:*:*:*", "?"), fc.string({ maxLength: 40 }), fc.string({ minLength: 2100, maxLength: 2200 }));
    const anything = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.dictionary(fc.string(), fc.string()), fc.array(resource));
    const stmt = fc.dictionary(fc.constantFrom("Sid", "Effect", "Principal", "Action", "NotAction", "Resource", "NotResource", "Condition"), fc.oneof(resource, anything, fc.array(resource), fc.constantFrom("Allow", "Deny", "s3:GetObject", "s3:*", "*", ["s3:Get*"])), { maxKeys: 8 });
    const policy = fc.oneof(fc.record({ Statement: fc.oneof(stmt, fc.array(stmt, { maxLength: 6 }), anything) }), anything);
    fc.assert(
      fc.property(policy, fc.boolean(), (document, asText) => {
        try {
          for (const message of findings(asText ? JSON.stringify(document) : document)) assert.ok(message.length > 0 && message.length < 5000);
        } catch (error) {
          if (!(error instanceof UnreadableValueError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("patternsOverlap: two IAM patterns share a string exactly when some string matches both", () => {
    const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "is");
    const alphabet = fc.string({ unit: fc.constantFrom("a", "b", "*", "?", "/"), maxLength: 6 });
    // Brute force over every string of up to 6 characters from {a, b, /}.
    const strings = [""];
    for (let n = 0; n < 6; n++) for (const s of strings.filter((x) => x.length === n)) for (const c of ["a", "b", "/"]) strings.push(s + c);
    fc.assert(
      fc.property(alphabet, alphabet, (p, q) => {
        const brute = strings.some((s) => glob(p).test(s) && glob(q).test(s));
        // A common string may need more characters than the brute force tries only when both have stars; then overlap may be true without a short witness.
        if (brute) assert.equal(patternsOverlap(p, q), true, `${p} ∩ ${q}`);
        else if (!p.includes("*") || !q.includes("*")) assert.equal(patternsOverlap(p, q), false, `${p} ∩ ${q}`);
      }),
      { numRuns: 2000 },
    );
  });
});

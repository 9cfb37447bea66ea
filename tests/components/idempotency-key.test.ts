import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { deriveIdempotencyKey, IdempotencyScope } from "../../components/idempotency-key";
import { validateIssueRequest } from "../../pki/issuance-policy";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey } from "../../pki/local-signer";

const SCOPE: IdempotencyScope = { project: "edge-mtls", stack: "workload-dev", component: "origin-client", period: "w347" };
const SECRET = "-----BEGIN EC PRIVATE KEY-----\nnot-a-real-key\n-----END EC PRIVATE KEY-----\n";

describe("components: idempotency keys for the workload stack's certificates", () => {
  it("are a readable label plus an HMAC-SHA256 of project, stack, component and period under the stack's secret", () => {
    const key = deriveIdempotencyKey(SECRET, SCOPE);
    const mac = createHmac("sha256", SECRET).update(JSON.stringify(["edge-mtls idempotency key v1", "edge-mtls", "workload-dev", "origin-client", "w347"])).digest("base64url");
    assert.equal(key, `workload-dev.origin-client.w347.${mac}`);
    assert.equal(mac.length, 43, "256 bits");
    assert.notEqual(key, "edge-mtls.workload-dev.origin-client.w347", "not the first build's guessable key");
  });

  it("are the same for the same inputs (a re-run `pulumi up` replays) and differ when any input differs", () => {
    assert.equal(deriveIdempotencyKey(SECRET, SCOPE), deriveIdempotencyKey(SECRET, { ...SCOPE }));
    const variants = [
      deriveIdempotencyKey(SECRET + "x", SCOPE),
      deriveIdempotencyKey(SECRET, { ...SCOPE, project: "other" }),
      deriveIdempotencyKey(SECRET, { ...SCOPE, stack: "workload-prod" }),
      deriveIdempotencyKey(SECRET, { ...SCOPE, component: "smoke-test" }),
      deriveIdempotencyKey(SECRET, { ...SCOPE, period: "w348" }),
    ];
    const macs = new Set([deriveIdempotencyKey(SECRET, SCOPE), ...variants].map((k) => k.split(".").pop()));
    assert.equal(macs.size, 6, "every input changes the HMAC");
    // Fields are framed as JSON: moving a dot between stack and component does not give the same key.
    assert.notEqual(
      deriveIdempotencyKey(SECRET, { ...SCOPE, stack: "a.b", component: "c" }).split(".").pop(),
      deriveIdempotencyKey(SECRET, { ...SCOPE, stack: "a", component: "b.c" }).split(".").pop(),
    );
  });

  it("are accepted by ca-issuer's request check, even for the longest stack names and odd characters", () => {
    const csrPem = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "CloudFront", organizationalUnit: "CloudFront" });
    for (const stack of ["workload-dev", "x".repeat(100), "org_stack.with.dots", "späce stack"]) {
      const key = deriveIdempotencyKey(SECRET, { ...SCOPE, stack });
      assert.ok(key.length <= 128, `${key.length} characters`);
      assert.equal(validateIssueRequest({ csrPem, purposes: ["client_auth"], idempotencyKey: key }).idempotencyKey, key);
    }
  });
});

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { bundleFunction } from "../../components/lambda-bundle";
import { authorizerEvent, SECRET, SECRET_HEADER } from "../support/authorizer-events";
import { issueLeaf, makeTestCa } from "../support/test-ca";
import { put, tempDir } from "../support/tools";

describe("functions: the deployed bundles run (ES module builds, esbuild)", function () {
  this.timeout(60_000);

  it("the bundled api-authorizer decides a real event and fails closed when the CRL cannot be fetched", async () => {
    const ca = await makeTestCa();
    const cloudfront = await issueLeaf(ca, { subject: { commonName: "CloudFront", organizationalUnit: "CloudFront" } });
    const { dir, cleanup } = tempDir();
    try {
      const file = put(dir, "index.js", bundleFunction("api-authorizer").code);
      const event = put(dir, "event.json", JSON.stringify(authorizerEvent(cloudfront.certificate.pem)));
      const env = {
        PATH: process.env.PATH,
        AWS_REGION: "eu-west-2",
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "secret",
        ALLOWED_SUBJECTS: JSON.stringify([{ commonName: "CloudFront", organizationalUnit: "CloudFront" }]),
        ORIGIN_SECRET_HEADER: SECRET_HEADER,
        ORIGIN_SECRET_VALUES: JSON.stringify([SECRET]),
        ISSUING_CA_PEM: ca.issuingPem,
        CRL_BUCKET: "edge-mtls-test-bucket",
        CRL_KEY: "issuing-ca.crl",
      };
      // The S3 GET goes to an unreachable endpoint (no network here): the handler must deny, not throw.
      const script = `require(${JSON.stringify(file)}).handler(JSON.parse(require("fs").readFileSync(${JSON.stringify(event)}, "utf8"))).then((r) => process.stdout.write("RESULT" + JSON.stringify(r)), (e) => { console.error(e); process.exit(2); });`;
      const result = spawnSync(process.execPath, ["-e", script], { env: { ...env, HTTPS_PROXY: "", https_proxy: "" }, encoding: "utf8", timeout: 45_000 });
      assert.equal(result.status, 0, result.stderr);
      const response = JSON.parse(result.stdout.slice(result.stdout.indexOf("RESULT") + 6));
      assert.equal(response.policyDocument.Statement[0].Effect, "Deny");
      assert.match(response.context.reason, /^revocation status unknown: S3 GetObject s3:\/\/edge-mtls-test-bucket\/issuing-ca.crl/);
    } finally {
      cleanup();
    }
  });
});

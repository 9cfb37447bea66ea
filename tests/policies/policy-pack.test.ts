import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { check } from "../../policies/check";
import { evaluate } from "../../policies/evaluate";
import { POLICIES } from "../../policies/policies";
import { runProgram, toEngineResources } from "../../policies/program-run";
import { RULES } from "../../policies/rules";
import { cloudfrontOriginMtls } from "../../policies/rules/cloudfront-origin-mtls";
import { put, tempDir } from "../support/tools";

const FIXTURES = join(__dirname, "..", "fixtures", "policy");

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await check(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe("policies: the edge-mtls-guard pack", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);
  const corpus = readdirSync(FIXTURES).filter((f) => /^\d\d-.*\.json$/.test(f));

  it("has at least 12 insecure exports, and together they exercise every rule", () => {
    assert.ok(corpus.length >= 12, `${corpus.length} fixtures`);
    const expected = new Set(corpus.map((f) => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")).edgeMtlsExpectation.policy));
    // The AWS-rules catalogue (aws-*) is exercised rule by rule in tests/offline/aws-rules.test.ts.
    assert.deepEqual([...expected].sort(), RULES.filter((r) => !r.name.startsWith("aws-")).map((r) => r.name).sort());
  });

  it("passes the secure export with no violation", async () => {
    const result = await run("--state", join(FIXTURES, "secure.json"), "--json");
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(JSON.parse(result.stdout).violations, []);
  });

  for (const fixture of readdirSync(FIXTURES).filter((f) => /^\d\d-.*\.json$/.test(f))) {
    it(`catches ${fixture.replace(/\.json$/, "")} with exactly its policy`, async () => {
      const expected = JSON.parse(readFileSync(join(FIXTURES, fixture), "utf8")).edgeMtlsExpectation.policy;
      const result = await run("--state", join(FIXTURES, fixture), "--json");
      assert.equal(result.code, 1, "a mandatory violation fails the check");
      // An insecure setting may also be one AWS refuses (aws-* rules); the security policy must be the one that says so.
      const violations = (JSON.parse(result.stdout).violations as { policy: string; message: string; enforcementLevel: string }[]).filter((v) => !v.policy.startsWith("aws-"));
      assert.deepEqual([...new Set(violations.map((v) => v.policy))], [expected]);
      assert.ok(violations.every((v) => v.enforcementLevel === "mandatory" && /; |: /.test(v.message)), "every message says how to fix it");
    });
  }

  it("both stack programs, run under mocks with their example config, have zero violations", async () => {
    for (const kind of ["ca", "workload"] as const) {
      const resources = toEngineResources(await runProgram(kind), `${kind}-dev`);
      assert.ok(resources.length > 30, `${kind}: ${resources.length} resources`);
      assert.deepEqual(evaluate(resources, POLICIES), [], `${kind} stack`);
    }
  });

  it("the pack loads without an engine, and registers exactly the list the checker evaluates", async () => {
    const script = `require("../policies/index.ts"); process.stderr.write(JSON.stringify(require("../policies/policies.ts").POLICIES.map((p) => [p.name, p.enforcementLevel])) + "\\n");`;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: join(__dirname, "..", "..", "policies"), stdio: ["ignore", "pipe", "pipe"] });
    const output = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => reject(new Error(`no port printed; stderr: ${stderr}`)), 60_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        if (/^\d+\s*$/m.test(stdout) && stderr.includes("]]")) {
          clearTimeout(timer);
          resolve({ stdout, stderr });
        }
      });
      child.stderr.on("data", (d) => {
        stderr += d;
        if (/^\d+\s*$/m.test(stdout) && stderr.includes("]]")) {
          clearTimeout(timer);
          resolve({ stdout, stderr });
        }
      });
    });
    child.kill();
    assert.match(output.stdout, /^\d+\s*$/m, "the pack's analyzer server printed its port");
    const registered = JSON.parse(output.stderr.trim().split("\n").pop()!);
    assert.deepEqual(registered, POLICIES.map((p) => [p.name, p.enforcementLevel]));
    assert.equal(POLICIES.length, RULES.length + RULES.filter((r) => r.kind === "stack").length);
  });

  it("exit code 2, with a clear message, for input that is not a stack export", async () => {
    const missing = await run("--state", join(work.dir, "nope.json"));
    assert.deepEqual([missing.code, /cannot read .*nope\.json: ENOENT/.test(missing.stderr)], [2, true]);
    const notJson = await run("--state", put(work.dir, "x.json", "hello"));
    assert.deepEqual([notJson.code, /is not JSON; give the output of 'pulumi stack export'/.test(notJson.stderr)], [2, true]);
    const notExport = await run("--state", put(work.dir, "y.json", JSON.stringify({ resources: [] })));
    assert.deepEqual([notExport.code, /is not a stack export: it has no deployment.resources list/.test(notExport.stderr)], [2, true]);
    assert.equal((await run("--program", "frontend")).code, 2);
    assert.equal((await run()).code, 2);
  });

  it("honours per-policy enforcement levels and justified exemptions from --config", async () => {
    const optional = join(FIXTURES, "07-viewer-mtls-optional.json");
    const advisory = await run("--state", optional, "--json", "--config", put(work.dir, "advisory.json", JSON.stringify({ "cloudfront-viewer-mtls": { enforcementLevel: "advisory" } })));
    assert.equal(advisory.code, 0);
    assert.equal(JSON.parse(advisory.stdout).violations[0].enforcementLevel, "advisory");
    const exempted = await run("--state", optional, "--json", "--config", put(work.dir, "exempt.json", JSON.stringify({ "cloudfront-viewer-mtls": { exemptions: [{ resource: "edge-distribution", justification: "public marketing site, JIRA-123" }] } })));
    assert.deepEqual([exempted.code, JSON.parse(exempted.stdout).violations], [0, []]);
    const unjustified = await run("--state", optional, "--config", put(work.dir, "bad.json", JSON.stringify({ "cloudfront-viewer-mtls": { exemptions: [{ resource: "edge-distribution", justification: "" }] } })));
    assert.equal(unjustified.code, 2);
    assert.match(unjustified.stderr, /justification of at least 10 characters/);
    const unknown = await run("--state", optional, "--config", put(work.dir, "unknown.json", JSON.stringify({ "no-such-policy": {} })));
    assert.equal(unknown.code, 2);
  });

  it("reports an origin bucket outside the stack as advisory only", async () => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, "secure.json"), "utf8"));
    doc.deployment.resources = doc.deployment.resources.filter((r: { type: string }) => !r.type.startsWith("aws:s3/"));
    const result = await run("--state", put(work.dir, "external-bucket.json", JSON.stringify(doc)), "--json");
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout).violations.map((v: { policy: string; enforcementLevel: string }) => [v.policy, v.enforcementLevel]), [["origin-bucket-private-unresolved", "advisory"]]);
  });

  it("reads MultitenantDistribution origins (customOriginConfigs) and does not ask it for viewer mTLS it cannot have", () => {
    const multitenant = (customOriginConfigs: object[]) => ({
      type: "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
      name: "tenants",
      urn: "urn:tenants",
      props: { viewerCertificate: { minimumProtocolVersion: "TLSv1.2_2021" }, defaultCacheBehavior: { viewerProtocolPolicy: "https-only" }, origins: [{ id: "api", domainName: "api.example.com", customOriginConfigs }] },
    });
    const secure = multitenant([{ originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x" } }]);
    assert.deepEqual(evaluate([secure], POLICIES), []);
    const insecure = multitenant([{ originProtocolPolicy: "match-viewer", originSslProtocols: ["TLSv1.2"] }]);
    assert.deepEqual(evaluate([insecure], POLICIES).map((v) => v.policy).filter((p) => !p.startsWith("aws-")).sort(), ["cloudfront-origin-https", "cloudfront-origin-mtls"]);
  });

  it("does not flag values a preview does not know yet (no false positives in pull requests)", () => {
    const preview = { type: "aws:cloudfront/distribution:Distribution", name: "d", urn: "u", props: { origins: [{ originId: "api", domainName: undefined, customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: undefined } } }] } };
    assert.deepEqual(cloudfrontOriginMtls.check(preview), []);
    assert.equal(cloudfrontOriginMtls.check({ ...preview, props: { origins: [{ originId: "api", domainName: "api.example.com", customOriginConfig: {} }] } }).length, 1);
  });
});

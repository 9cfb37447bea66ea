import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { check } from "../../policies/check";
import { evaluate } from "../../policies/evaluate";
import { POLICIES, toPolicies } from "../../policies/policies";
import { runProgram, toEngineResources } from "../../policies/program-run";
import { RULES } from "../../policies/rules";
import { SECRET_SIG, SIG_KEY, UNKNOWN_PLACEHOLDER } from "../../policies/normalise";
import { cloudfrontOriginMtls } from "../../policies/rules/cloudfront-origin-mtls";
import { InputError, resourcesFromExport } from "../../policies/sources";
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

  type Expectation = { exit: 1; policies: string[] } | { exit: 2; unreadable: { policy: string; resource: string; field: string }[] } | { exit: 2; error: string };
  const expectationOf = (fixture: string): Expectation => JSON.parse(readFileSync(join(FIXTURES, fixture), "utf8")).edgeMtlsExpectation;

  it("has at least 50 hostile exports, and together they exercise every rule", () => {
    assert.ok(corpus.length >= 50, `${corpus.length} fixtures`);
    const expected = new Set(corpus.flatMap((f) => {
      const e = expectationOf(f);
      return "policies" in e ? e.policies : "unreadable" in e ? e.unreadable.map((u) => u.policy) : [];
    }));
    // The AWS-rules catalogue (aws-*) is exercised rule by rule in tests/offline/aws-rules.test.ts.
    assert.deepEqual([...expected].filter((p) => !p.startsWith("aws-")).sort(), RULES.filter((r) => !r.name.startsWith("aws-")).map((r) => r.name).sort());
  });

  it("passes the secure export with no violation, its private key and origin secret held as ciphertext", async () => {
    const text = readFileSync(join(FIXTURES, "secure.json"), "utf8");
    assert.equal((text.match(/"ciphertext"/g) ?? []).length, 4, "privateKey (inputs, outputs), the origin header (inputs), the whole origins list (outputs)");
    const result = await run("--state", join(FIXTURES, "secure.json"), "--json");
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).violations, []);
  });

  for (const fixture of corpus) {
    const expected = expectationOf(fixture);
    const what = "policies" in expected ? `exactly ${expected.policies.join(" and ")}` : "unreadable" in expected ? "exit 2 naming the value it cannot judge" : "exit 2 with one line";
    it(`answers ${fixture.replace(/\.json$/, "")} with ${what}`, async () => {
      const result = await run("--state", join(FIXTURES, fixture), "--json");
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.equal(result.code, expected.exit, result.stdout + result.stderr);
      if ("error" in expected) {
        assert.equal(result.stdout, "");
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
        assert.ok(result.stderr.startsWith("policy:check: ") && result.stderr.includes(expected.error), result.stderr);
        return;
      }
      const output = JSON.parse(result.stdout) as { violations: { policy: string; message: string; enforcementLevel: string }[]; unreadable: { policy: string; resource: string; message: string; unreadable: { field: string } }[] };
      if ("policies" in expected) {
        assert.deepEqual(output.unreadable, []);
        const mandatory = output.violations.filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual([...new Set(mandatory.map((v) => v.policy))].sort(), [...expected.policies].sort());
        assert.ok(mandatory.every((v) => /; |: /.test(v.message)), "every message says how to fix it");
      } else {
        assert.deepEqual(output.unreadable.map((u) => ({ policy: u.policy, resource: u.resource, field: u.unreadable.field })), expected.unreadable);
        const lines = result.stderr.trim().split("\n");
        assert.equal(lines.length, expected.unreadable.length, result.stderr);
        expected.unreadable.forEach((u, i) => assert.ok(lines[i].includes(`${u.policy} cannot judge ${u.resource} (`) && lines[i].includes(`${u.field} `), lines[i]));
        const text = await run("--state", join(FIXTURES, fixture));
        assert.equal(text.code, 2);
        assert.match(text.stdout, new RegExp(`; ${expected.unreadable.length} value\\(s\\) could not be judged, so the check fails\\.\\n$`));
      }
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

  it("reads MultitenantDistribution origins (customOriginConfigs), and flags it for the viewer mTLS it cannot have unless exempted", () => {
    const multitenant = (customOriginConfigs: object[]) => ({
      type: "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
      name: "tenants",
      urn: "urn:tenants",
      props: { viewerCertificate: { minimumProtocolVersion: "TLSv1.2_2021" }, defaultCacheBehavior: { viewerProtocolPolicy: "https-only" }, origins: [{ id: "api", domainName: "api.example.com", customOriginConfigs }] },
    });
    const secure = multitenant([{ originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x" } }]);
    const found = evaluate([secure], POLICIES);
    assert.deepEqual(found.map((v) => [v.policy, v.enforcementLevel]), [["cloudfront-viewer-mtls", "mandatory"]]);
    assert.match(found[0].message, /MultitenantDistribution has no viewerMtlsConfig/);
    const exempt = { "cloudfront-viewer-mtls": { exemptions: [{ resource: "tenants", justification: "public tenant sites, no mTLS API behind them" }] } };
    assert.deepEqual(evaluate([secure], POLICIES, exempt), []);
    const insecure = multitenant([{ originProtocolPolicy: "match-viewer", originSslProtocols: ["TLSv1.2"] }]);
    assert.deepEqual(evaluate([insecure], POLICIES, exempt).map((v) => v.policy).sort(), ["cloudfront-origin-https", "cloudfront-origin-mtls"]);
    const two = multitenant([{ originProtocolPolicy: "https-only" }, { originProtocolPolicy: "http-only" }]);
    assert.deepEqual(evaluate([two], POLICIES, exempt).map((v) => [v.policy, v.unreadable?.field]), [["cloudfront-origin-mtls", "origins[0].customOriginConfigs"]]);
  });

  // The engine's own machinery (internal to @pulumi/policy, so required untyped): how it shows a preview's unknowns and a stack's secrets to policies.
  const engineProxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(value: T): T; UnknownValueError: new (...args: unknown[]) => Error; unknownStringValue: string };
  const engineDeserialize = require("@pulumi/policy/deserialize") as { deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, unknown> };
  const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string; unknownValue: string };

  it("lets the engine's preview unknowns through: reading one throws its UnknownValueError (reported as 'cannot run during preview'), never a violation", () => {
    const validate = (toPolicies(cloudfrontOriginMtls)[0] as ResourceValidationPolicy).validateResource as (args: unknown, report: (message: string) => void) => void;
    const args = (props: object) => ({ type: "aws:cloudfront/distribution:Distribution", name: "d", urn: "u", props: engineProxy.unknownCheckingProxy(props), getConfig: () => ({}) });
    const unknownArn = { origins: [{ originId: "api", domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: engineProxy.unknownStringValue } } }] };
    const reported: string[] = [];
    assert.throws(() => validate(args(unknownArn), (m) => reported.push(m)), engineProxy.UnknownValueError);
    assert.equal(reported.length, 0);
    // A value the rule does not read may stay unknown; a missing block is still a violation.
    const known = { comment: engineProxy.unknownStringValue, origins: [{ originId: "api", domainName: "api.example.com", customOriginConfig: {} }] };
    validate(args(known), (m) => reported.push(m));
    assert.equal(reported.length, 1);
    assert.match(reported[0], /has no origin mTLS/);
  });

  it("uses Pulumi's own signatures, and under the engine sees secrets as plaintext (the pack judges them; only the offline checker cannot)", () => {
    assert.deepEqual([SIG_KEY, SECRET_SIG, UNKNOWN_PLACEHOLDER], [rpc.specialSigKey, rpc.specialSecretSig, rpc.unknownValue]);
    // The engine sends a secret as { sig, value }; @pulumi/policy unwraps it before policies run (validateResource and validateStack pass proxySecrets false).
    const wire = { viewerMtlsConfig: { [rpc.specialSigKey]: rpc.specialSecretSig, value: { mode: "optional", trustStoreConfig: { trustStoreId: "ts-1" } } } };
    const props = engineDeserialize.deserializeProperties({ toJavaScript: () => wire }, false);
    assert.deepEqual(props.viewerMtlsConfig, { mode: "optional", trustStoreConfig: { trustStoreId: "ts-1" } });
    const engine = [{ type: "aws:cloudfront/distribution:Distribution", name: "d", urn: "u", props }];
    assert.deepEqual(evaluate(engine, POLICIES.filter((p) => p.name === "cloudfront-viewer-mtls")).map((v) => [v.policy, v.unreadable]), [["cloudfront-viewer-mtls", undefined]]);
  });

  it("reads an export's secrets shown with --show-secrets as their plaintext, and judges them", async () => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, "36-secret-viewer-mtls-config.json"), "utf8"));
    const distribution = doc.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::edge-distribution"));
    distribution.inputs.viewerMtlsConfig = { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ mode: "optional", trustStoreConfig: { trustStoreId: "ts-1" } }) };
    const result = await run("--state", put(work.dir, "shown.json", JSON.stringify(doc)), "--json");
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).violations.map((v: { policy: string }) => v.policy), ["cloudfront-viewer-mtls"]);
  });

  it("refuses, with one line each, exports too large, too deep, or with values Pulumi would not write", async () => {
    assert.throws(() => resourcesFromExport("/dev/zero", 1024 * 1024), (e: Error) => e instanceof InputError && /is larger than 1 MiB/.test(e.message));
    let deep: unknown = "x";
    for (let i = 0; i < 200; i++) deep = [deep];
    const cases: [string, (doc: any) => void, RegExp][] = [
      ["deep", (doc) => (doc.deployment.resources[2].inputs.tags = deep), /nests deeper than 100 levels/],
      ["signature", (doc) => (doc.deployment.resources[2].inputs.tags = { [SIG_KEY]: "0000" }), /unrecognised signature "0000"/],
      ["plaintext", (doc) => (doc.deployment.resources[2].inputs.tags = { [SIG_KEY]: SECRET_SIG, plaintext: "{not json" }), /malformed secret: its plaintext is not JSON/],
      ["inputs", (doc) => (doc.deployment.resources[2].inputs = ["a"]), /inputs is not an object/],
      ["urn", (doc) => (doc.deployment.resources[2].urn = 7), /deployment.resources\[2\] has no urn/],
      ["type", (doc) => delete doc.deployment.resources[2].type, /has no type/],
    ];
    for (const [name, change, message] of cases) {
      const doc = JSON.parse(readFileSync(join(FIXTURES, "secure.json"), "utf8"));
      change(doc);
      const result = await run("--state", put(work.dir, `${name}.json`, JSON.stringify(doc)));
      assert.equal(result.code, 2, name);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, message, name);
    }
  });

  it("the command line prints one line, no stack trace, for an export that used to crash it", async () => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "policies/check.ts", "--state", join(FIXTURES, "49-origin-null.json")], { cwd: join(__dirname, "..", ".."), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 2);
    assert.deepEqual(stderr.trim().split("\n"), [
      "policy:check: cloudfront-origin-mtls cannot judge edge-distribution (aws:cloudfront/distribution:Distribution): origins[2] is empty where an origin belongs",
    ]);
  });
});

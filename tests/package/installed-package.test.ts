// `npm run test:package`: the project packed as `npm pack` packs it, installed from the tarball
// into a scratch project, and used the ways a consumer would. Needs the npm registry (or its cache).
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { loadCommands } from "../../cli/main";
import { bundleFunction, lambdaFunctionNames } from "../../components/lambda-bundle";
import { connectionFunctionSource } from "../../functions/connection-function/source";
import { POLICIES } from "../../policies/policies";
import { AWS_RULES } from "../../offline/aws-rules";
import { runCli } from "../support/run-cli";
import { makeTestCa } from "../support/test-ca";
import { put, tempDir, tool } from "../support/tools";

const REPO = join(__dirname, "..", "..");
const VERSION = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version as string;
/** The modules `--help` must not load: the AWS SDK, the X.509 libraries, Pulumi, the build tools. */
const HEAVY = /node_modules[\\/](@aws-sdk|@smithy|@peculiar|asn1js|@pulumi|esbuild)[\\/]/;

/** Runs a command to completion; a non-zero exit fails with its output unless `allowFailure`. */
function sh(command: string, args: readonly string[], options: { cwd: string; allowFailure?: boolean; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { cwd: options.cwd, encoding: "utf8", env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  if (result.error) throw result.error;
  if (!options.allowFailure && result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The fenced TypeScript block that follows `<!-- example: NAME -->` in the README. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = readme.match(new RegExp(`<!-- example: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``))?.[1];
  assert.ok(block, `README has the ${name} example`);
  return block;
}

/**
 * Loads a policy pack directory with plain node (no TypeScript) from `cwd`, as Pulumi's policy
 * runtime does (`require(<pack dir>)`): resolves once its analyzer server prints its port. With
 * `capture`, @pulumi/policy is replaced by a recorder and the registered policies are returned.
 */
function loadPack(packDir: string, cwd: string, capture = false): Promise<{ port?: string; policies?: [string, string][] }> {
  const recorder = `require.cache[require.resolve("@pulumi/policy", { paths: [${JSON.stringify(packDir)}] })] = { exports: { PolicyPack: class { constructor(name, args) { console.log(JSON.stringify({ name, policies: args.policies.map((p) => [p.name, p.enforcementLevel]) })); } } } };`;
  const script = `${capture ? recorder : ""} require(${JSON.stringify(packDir)});`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["-e", script], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the pack in ${packDir} did not start; stdout ${stdout}; stderr ${stderr}`));
    }, 120_000);
    const done = (value: { port?: string; policies?: [string, string][] }) => {
      clearTimeout(timer);
      child.kill();
      resolvePromise(value);
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      const port = stdout.match(/^(\d+)\s*$/m)?.[1];
      if (!capture && port) done({ port });
      if (capture && stdout.includes("\n")) done({ policies: JSON.parse(stdout.split("\n")[0]!).policies });
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => code !== null && code !== 0 && reject(new Error(`the pack in ${packDir} exited ${code}: ${stderr}`)));
  });
}

describe("package: packed, installed into a scratch project, used as a consumer would", function () {
  this.timeout(900_000);
  const work = tempDir("edge-mtls-package-");
  const app = join(work.dir, "app");
  const installed = join(app, "node_modules", "edge-mtls");
  const bin = join(app, "node_modules", ".bin", "edge-mtls");
  let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  after(work.cleanup);

  before(() => {
    // `npm pack` runs the build (prepare), as publishing would.
    packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work.dir], { cwd: REPO }).stdout)[0];
    mkdirSync(app);
    put(app, "package.json", JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    const typescript = JSON.parse(readFileSync(join(REPO, "node_modules", "typescript", "package.json"), "utf8")).version;
    const typesNode = JSON.parse(readFileSync(join(REPO, "node_modules", "@types", "node", "package.json"), "utf8")).version;
    sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work.dir, packed.filename), `typescript@${typescript}`, `@types/node@${typesNode}`], { cwd: app });
  });

  it("ships the build, the prebuilt Lambda bundles and the policy pack: no sources, tests, keys or state", () => {
    const files = packed.files.map((f) => f.path).sort();
    const allowed = /^(README\.md|package\.json|Pulumi\.(ca|workload)-dev\.yaml|bin\/edge-mtls\.js|dist\/.+|docs\/.+\.md|policies\/(package\.json|PulumiPolicy\.yaml|dist\/index\.js|config\/[a-z-]+\.json))$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
    assert.deepEqual(files.filter((f) => /\.ts$/.test(f) && !/\.d\.m?ts$/.test(f)), [], "no TypeScript sources");
    assert.deepEqual(files.filter((f) => /(^|\/)tests?\/|\.pem$|\.key$|\.crt$|pulumi-state|\.rehearsal/.test(f)), []);
    for (const fn of lambdaFunctionNames()) assert.ok(files.includes(`dist/lambda/${fn}/index.js`), `the ${fn} bundle`);
    for (const f of ["dist/cli/commands.json", "dist/esm/components.mjs", "dist/esm/automation.d.mts", "dist/components/index.d.ts", "dist/automation/index.js.map", "policies/dist/index.js"]) assert.ok(files.includes(f), f);
  });

  it("runs the CLI from compiled JavaScript: help and every command's help exactly as the sources print them, --version", async () => {
    const help = sh(bin, ["--help"], { cwd: app });
    assert.equal(help.stdout, (await runCli(app, "--help")).stdout);
    assert.match(help.stdout, /^Usage: edge-mtls <command> \[flags\]/);
    for (const { words } of await loadCommands()) {
      assert.equal(sh(bin, [...words, "--help"], { cwd: app }).stdout, (await runCli(app, ...words, "--help")).stdout, words.join(" "));
    }
    assert.equal(sh(bin, ["--version"], { cwd: app }).stdout, `edge-mtls ${VERSION}\n`);
  });

  it("loads none of the heavy modules for --help; a command that needs them loads them", () => {
    const probe = (argv: string[]) =>
      `const io = { stdout: { write() {} }, stderr: { write() {} }, cwd: process.cwd() };
       require(${JSON.stringify(join(installed, "dist", "cli", "main.js"))}).main(${JSON.stringify(argv)}, io).then(() =>
         console.log(Object.keys(require.cache).filter((k) => ${HEAVY}.test(k)).length));`;
    assert.equal(sh(process.execPath, ["-e", probe(["--help"])], { cwd: app }).stdout.trim(), "0");
    assert.equal(sh(process.execPath, ["-e", probe(["cert", "issue", "--help"])], { cwd: app }).stdout.trim(), "0");
    assert.ok(Number(sh(process.execPath, ["-e", probe(["crl", "--ca-dir", "nowhere", "--out", "x.crl"])], { cwd: app }).stdout.trim()) > 0, "the probe does see them");
  });

  it("issues the how-to's certificate and runs the rehearsal from the installed package", () => {
    assert.equal(sh(bin, ["demo", "--dir", "certs"], { cwd: app }).status, 0);
    const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", join(app, "certs", "ca", "ca-bundle.pem"), join(app, "certs", "cloudfront-cert.pem")]);
    assert.equal(verify.status, 0, verify.output);
    const rehearsal = JSON.parse(sh(bin, ["rehearse", "--json", "--dir", "rehearsal"], { cwd: app }).stdout);
    assert.equal(rehearsal.pass, true);
    assert.equal(rehearsal.checks.length, 8);
  });

  it("prints every error as one line, edge-mtls: error CODE (field): message", () => {
    const noProject = sh(bin, ["preview", "--env", "dev"], { cwd: app, allowFailure: true });
    assert.deepEqual([noProject.status, noProject.stderr.split("\n")[0]], [1, "edge-mtls: error PROJECT_MISSING (workDir): the work directory has no Pulumi.yaml: add one naming the project the stacks belong to (e.g. 'name: edge-mtls' and 'runtime: nodejs')"]);
    const missing = sh(bin, ["cert", "inspect", "nothing.pem"], { cwd: app, allowFailure: true });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^edge-mtls: error ENOENT: no such file or directory, open '.*nothing\.pem'\n$/);
    const unknown = sh(bin, ["frobnicate"], { cwd: app, allowFailure: true });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^edge-mtls: error UNKNOWN_COMMAND: 'frobnicate' is not an edge-mtls command\n\nUsage: edge-mtls <command>/);
  });

  it("drives a separate scratch project's stacks with edge-mtls/automation from plain JavaScript, through the workspace adapter, writing nothing there", () => {
    const scratch = join(work.dir, "platform-edge");
    mkdirSync(scratch);
    put(scratch, "Pulumi.yaml", "name: platform-edge\nruntime: nodejs\n");
    put(scratch, "Pulumi.ca-qa.yaml", "config:\n  edge-mtls:role: ca\n  aws:region: eu-west-2\n");
    put(scratch, "Pulumi.workload-qa.yaml", "config:\n  edge-mtls:role: workload\n  aws:region: eu-west-2\n");
    const before = Object.fromEntries(readdirSync(scratch).map((f) => [f, readFileSync(join(scratch, f), "utf8")]));
    put(
      app,
      "drive.cjs",
      `const { deployAll, previewAll, AutomationError, POLICY_PACK_DIR } = require("edge-mtls/automation");
       const seen = [];
       const output = { rootCaCertPem: "r", issuingCaCertPem: "i", trustBundlePem: "b", issuerFunctionArn: "arn", caBucketName: "bucket" };
       const adapter = {
         checkCli: async () => {},
         openStack: async (step, program) => {
           seen.push({ stack: step.stack, program, policyPacks: step.policyPacks });
           return {
             configuredRole: async () => step.role,
             run: async (operation, o) => { o.onOutput(operation + " " + step.stack); return { changes: { create: 2 } }; },
             outputs: async () => Object.fromEntries(Object.entries(output).map(([k, v]) => [k, { value: v, secret: false }])),
           };
         },
       };
       (async () => {
         const lines = [];
         const results = await deployAll({ env: "qa", adapter, onOutput: (stack, line) => lines.push(line) });
         let refused;
         await previewAll({ env: "prod", adapter }).catch((e) => (refused = { code: e.code, field: e.field, typed: e instanceof AutomationError }));
         console.log(JSON.stringify({ results, seen, lines, refused, packDir: POLICY_PACK_DIR }));
       })();`,
    );
    const out = JSON.parse(sh(process.execPath, [join(app, "drive.cjs")], { cwd: scratch }).stdout);
    assert.deepEqual(out.results.map((r: { stack: string; result: string }) => [r.stack, r.result]), [["ca-qa", "succeeded"], ["workload-qa", "succeeded"]]);
    assert.deepEqual(out.seen.map((s: { program: unknown }) => s.program), [{ role: "ca" }, { role: "workload", caStack: "ca-qa" }]);
    assert.deepEqual(out.lines, ["up ca-qa", "up workload-qa"]);
    assert.deepEqual(out.refused, { code: "ENV_UNKNOWN", field: "env", typed: true });
    assert.equal(out.packDir, join(installed, "policies"), "the policy pack comes from the package");
    assert.deepEqual(out.seen[0].policyPacks, [out.packDir]);
    const after = Object.fromEntries(readdirSync(scratch).map((f) => [f, readFileSync(join(scratch, f), "utf8")]));
    assert.deepEqual(after, before, "no stack file written, nothing added (no local state either)");
  });

  it("imports edge-mtls/automation and edge-mtls/components from ES modules: the same classes as require gives", () => {
    put(
      app,
      "esm.mjs",
      `import { createRequire } from "node:module";
       import * as pulumi from "@pulumi/pulumi";
       import { deployAll, AutomationError } from "edge-mtls/automation";
       import { ServerlessCa, TrustStore, S3Origin, MtlsApi, OriginClientCertificate, OriginCertificateRenewer, ViewerRevocation, MtlsDistribution, OriginSmokeTest, PublicPkiEndpoint } from "edge-mtls/components";
       const require = createRequire(import.meta.url);
       const classes = { ServerlessCa, TrustStore, S3Origin, MtlsApi, OriginClientCertificate, OriginCertificateRenewer, ViewerRevocation, MtlsDistribution, OriginSmokeTest, PublicPkiEndpoint };
       const components = Object.entries(classes).filter(([, c]) => c.prototype instanceof pulumi.ComponentResource).map(([n]) => n);
       const sameAsRequire = require("edge-mtls/components").ServerlessCa === ServerlessCa && require("edge-mtls/automation").deployAll === deployAll;
       const refused = await deployAll({ env: "Not An Env" }).catch((e) => e instanceof AutomationError && e.code);
       console.log(JSON.stringify({ components, sameAsRequire, refused }));`,
    );
    const out = JSON.parse(sh(process.execPath, ["esm.mjs"], { cwd: app }).stdout);
    assert.deepEqual(out, { components: ["ServerlessCa", "TrustStore", "S3Origin", "MtlsApi", "OriginClientCertificate", "OriginCertificateRenewer", "ViewerRevocation", "MtlsDistribution", "OriginSmokeTest", "PublicPkiEndpoint"], sameAsRequire: true, refused: "ENV_INVALID" });
  });

  it("runs edge-mtls/components in another Pulumi program (JavaScript, Pulumi's mocks): Lambda code from the package, byte for byte what the sources bundle to", async () => {
    const testCa = await makeTestCa();
    put(
      app,
      "program.cjs",
      `const pulumi = require("@pulumi/pulumi");
       const aws = require("@pulumi/aws");
       const resources = [];
       pulumi.runtime.setMocks({
         newResource: (args) => {
           resources.push({ type: args.type, name: args.name, inputs: args.inputs });
           // ca-admin's bootstrap answer, which the CA reads its outputs from.
           const result = args.type === "aws:lambda/invocation:Invocation" ? { result: "{}" } : {};
           return { id: args.name + "-id", state: { ...args.inputs, ...result, arn: "arn:aws:x:eu-west-2:111111111111:" + args.name } };
         },
         call: (args) => ({ accountId: "111111111111", partition: "aws", region: "eu-west-2", name: "eu-west-2", dnsSuffix: "amazonaws.com" }),
       }, "platform-edge", "dev", false, "platform");
       const { MtlsApi, ViewerRevocation, ServerlessCa, OriginCertificateRenewer, ARTIFACT_KEYS } = require("edge-mtls/components");
       const usEast1 = new aws.Provider("us-east-1", { region: "us-east-1" });
       new ServerlessCa("ca", { environment: "dev", rootSubject: { commonName: "Root" }, issuingSubject: { commonName: "Issuing" }, notificationTopicArn: "arn:aws:sns:eu-west-2:111111111111:certificates" });
       new OriginCertificateRenewer("origin-renewer", { environment: "dev", certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/origin", issuerFunctionArn: "arn:aws:lambda:eu-west-2:111111111111:function:edge-mtls-dev-ca-issuer", trustBundlePem: ${JSON.stringify(testCa.rootPem + testCa.issuingPem)}, commonName: "CloudFront", organizationalUnit: "CloudFront", lifetimeDays: 90, renewBeforeDays: 30, idempotencyComponent: "origin-client" });
       new MtlsApi("api", { environment: "dev", domainName: "api.example.com", certificateArn: "arn:aws:acm:eu-west-2:111111111111:certificate/api", truststoreUri: "s3://trust/ca-bundle.pem", truststoreVersion: "v1", secretHeaderName: "X-Origin-Verify", secretValues: ["0123456789abcdef0123456789abcdef"], crlBucket: "ca-bucket", crlKey: ARTIFACT_KEYS.issuingCrl, issuingCaPem: "-----BEGIN CERTIFICATE-----" });
       new ViewerRevocation("revocation", { environment: "dev", crlBucket: "ca-bucket", crlKey: ARTIFACT_KEYS.issuingCrl, issuingCaPem: "-----BEGIN CERTIFICATE-----", usEast1 });
       setTimeout(() => {
         const functions = resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => ({ name: r.inputs.name, sourceCodeHash: r.inputs.sourceCodeHash }));
         const connection = resources.find((r) => r.type === "aws:cloudfront/connectionFunction:ConnectionFunction");
         console.log(JSON.stringify({ functions, connectionCode: connection && connection.inputs.connectionFunctionCode }));
       }, 3000);`,
    );
    const out = JSON.parse(sh(process.execPath, ["program.cjs"], { cwd: app }).stdout) as { functions: { name: string; sourceCodeHash: string }[]; connectionCode?: string };
    const byFunction = Object.fromEntries(out.functions.map((f) => [f.name.replace(/^edge-mtls-dev-/, ""), f.sourceCodeHash]));
    assert.deepEqual(Object.keys(byFunction).sort(), lambdaFunctionNames(), "every function the package bundles");
    for (const [fn, hash] of Object.entries(byFunction)) assert.equal(hash, bundleFunction(fn).sha256, `${fn}: the prebuilt bundle is what the sources bundle to`);
    assert.equal(out.connectionCode, connectionFunctionSource());
  });

  it("type-checks the README's programs against the installed types, strict with skipLibCheck off: a Pulumi program (CommonJS, node resolution) and a tool (ES module, NodeNext)", () => {
    put(app, "program.ts", readmeExample("components-program"));
    put(app, "tool.mts", readmeExample("automation-tool"));
    // A wrong argument must be an error: the types are real, not `any`.
    put(app, "wrong.ts", `import { S3Origin } from "edge-mtls/components";\nnew S3Origin("site", { contentDir: 42 });\n`);
    const common = { strict: true, skipLibCheck: false, target: "es2022", noEmit: true, types: ["node"] };
    put(app, "tsconfig.program.json", JSON.stringify({ compilerOptions: { ...common, module: "commonjs", moduleResolution: "node" }, files: ["program.ts", "wrong.ts"] }));
    put(app, "tsconfig.tool.json", JSON.stringify({ compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" }, files: ["tool.mts"] }));
    const tsc = join(app, "node_modules", "typescript", "bin", "tsc");
    const program = sh(process.execPath, [tsc, "-p", "tsconfig.program.json"], { cwd: app, allowFailure: true });
    assert.deepEqual(program.stdout.trim().split("\n").map((l) => l.replace(/\(\d+,\d+\).*?(TS\d+).*/, " $1")), ["wrong.ts TS2322"], program.stdout);
    const tool = sh(process.execPath, [tsc, "-p", "tsconfig.tool.json"], { cwd: app, allowFailure: true });
    assert.equal(tool.status, 0, tool.stdout);
  });

  it("loads the policy pack with plain node from the installed package and from the repository, registering exactly the checker's policies", async () => {
    const expected = POLICIES.map((p) => [p.name, p.enforcementLevel]);
    for (const [packDir, cwd] of [[join(installed, "policies"), app], [join(REPO, "policies"), REPO]] as const) {
      assert.deepEqual((await loadPack(packDir, cwd, true)).policies, expected, packDir);
      assert.match((await loadPack(packDir, cwd)).port!, /^\d+$/, `${packDir}: the analyzer server started`);
    }
  });

  it("ships the pack the way `pulumi policy publish` does (npm pack of policies/), and it runs alone with only its own dependencies installed", async () => {
    const pack = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work.dir], { cwd: join(REPO, "policies") }).stdout)[0];
    assert.deepEqual(pack.files.map((f: { path: string }) => f.path).sort(), ["PulumiPolicy.yaml", "dist/index.js", "package.json"]);
    const alone = join(work.dir, "published-pack");
    mkdirSync(alone);
    sh("tar", ["-xzf", join(work.dir, pack.filename), "-C", alone, "--strip-components=1"], { cwd: work.dir });
    const manifest = JSON.parse(readFileSync(join(alone, "package.json"), "utf8"));
    assert.ok(Object.values(manifest.dependencies).every((v) => /^\d+\.\d+\.\d+$/.test(v as string)), "exact dependency versions");
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      assert.equal(JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")).version.replace(/^v/, ""), version, `${name}: the version the repository tests with`);
    }
    const requires = new Set([...readFileSync(join(alone, "dist", "index.js"), "utf8").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const outside = [...requires].filter((r) => !isBuiltin(r) && !(r in manifest.dependencies));
    assert.deepEqual(outside, [], "the bundle needs nothing but its dependencies");
    sh("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], { cwd: alone });
    assert.ok(!existsSync(join(work.dir, "node_modules")), "nothing above the pack to resolve from");
    assert.match((await loadPack(alone, alone)).port!, /^\d+$/);
    const registered = (await loadPack(alone, alone, true)).policies;
    assert.deepEqual(registered, POLICIES.map((p) => [p.name, p.enforcementLevel]));
    // The AWS-rules catalogue travels inside the bundle: every rule is a registered aws-* policy.
    const names = new Set(registered!.map(([name]) => name));
    assert.deepEqual(AWS_RULES.map((r) => `aws-${r.id}`).filter((name) => !names.has(name)), []);
  });
});

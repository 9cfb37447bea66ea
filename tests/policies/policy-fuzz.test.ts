import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { check } from "../../policies/check";
import { CheckConfig, evaluate, EngineResource } from "../../policies/evaluate";
import { SECRET_SIG, SIG_KEY, UNKNOWN_PLACEHOLDER, UnreadableValueError } from "../../policies/normalise";
import { POLICIES, toPolicyResource } from "../../policies/policies";
import { RULES } from "../../policies/rules";
import { resourcesFromExportDocument } from "../../policies/sources";
import { put, tempDir } from "../support/tools";

const FIXTURES = join(__dirname, "..", "fixtures", "policy");
const SECURE = readFileSync(join(FIXTURES, "secure.json"), "utf8");
const CLIENT_CERT = readFileSync(join(FIXTURES, "pem", "client-auth-p256.pem"), "utf8");
const SERVER_CERT = readFileSync(join(FIXTURES, "pem", "server-auth-p256.pem"), "utf8");

const SECRET = { [SIG_KEY]: SECRET_SIG, ciphertext: "v1:c2VjcmV0" };
const HUGE = `${"a".repeat(1 << 20)}.lambda-url.eu-west-2.on.aws`;

// Every resource type a rule looks at, and some it does not.
const TYPES = [
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
  "aws:cloudfront/distributionTenant:DistributionTenant",
  "aws:cloudfront/originAccessControl:OriginAccessControl",
  "aws:lightsail/distribution:Distribution",
  "aws:amplify/app:App",
  "aws:apigateway/domainName:DomainName",
  "aws:apigatewayv2/domainName:DomainName",
  "aws:apigateway/restApi:RestApi",
  "aws:apigatewayv2/api:Api",
  "aws:acm/certificate:Certificate",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:lambda/functionUrl:FunctionUrl",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:elb/loadBalancer:LoadBalancer",
  "aws:lb/listener:Listener",
  "aws:alb/listener:Listener",
  "aws:iam/role:Role",
  // What the AWS-rules catalogue's cross-resource rules read (aws-*).
  "aws:apigateway/authorizer:Authorizer",
  "aws:apigateway/basePathMapping:BasePathMapping",
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
  "aws:cloudfront/trustStore:TrustStore",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:lambda/function:Function",
  "aws:lambda/invocation:Invocation",
  // public-pki-bucket reads the bucket policy's JSON.
  "aws:s3/bucketPolicy:BucketPolicy",
  // aws-s3-read-before-write-needs-list-bucket reads a role policy's JSON.
  "aws:iam/rolePolicy:RolePolicy",
];

// The property names the rules read (so random props reach deep into them), and names that trip naive code.
const KEYS = [
  ...["origins", "originId", "id", "domainName", "customOriginConfig", "customOriginConfigs", "s3OriginConfig", "originAccessIdentity", "originAccessControlId", "originMtlsConfig", "clientCertificateArn"],
  ...["originProtocolPolicy", "originSslProtocols", "viewerMtlsConfig", "mode", "trustStoreConfig", "trustStoreId", "ignoreCertificateExpiry", "viewerCertificate", "cloudfrontDefaultCertificate"],
  ...["minimumProtocolVersion", "defaultCacheBehavior", "orderedCacheBehaviors", "cacheBehaviors", "viewerProtocolPolicy", "pathPattern", "httpVersion", "mutualTlsAuthentication", "truststoreUri"],
  ...["endpointConfiguration", "types", "securityPolicy", "domainNameConfiguration", "endpointType", "disableExecuteApiEndpoint", "certificateBody", "certificateAuthorityArn", "arn", "region"],
  ...["bucket", "bucketRegionalDomainName", "bucketDomainName", "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets", "functionUrl", "urlId", "authorizationType"],
  ...["dnsName", "loadBalancerArn", "mutualAuthentication", "trustStoreArn", "ignoreClientCertificateExpiry", "customRules", "status", "target", "signingBehavior", "signingProtocol"],
  ...["originAccessControlOriginType", "__proto__", "constructor", "toString", "hasOwnProperty"],
  // Read by the AWS-rules catalogue (aws-*).
  ...["restApi", "identitySource", "type", "authorizerResultTtlInSeconds", "regionalDomainName", "caCertificatesBundleSource", "caCertificatesBundleS3Location", "key", "content", "environment", "variables"],
  ...["input", "name", "namePrefix", "headersConfig", "headers", "items", "originRequestPolicyId", "targetOriginId", "customHeaders", "value", "headerName", "headerValue", "certificateChain", "privateKey"],
  ...["policy", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Sid"],
  ...["ownershipVerificationCertificateArn", "regionalCertificateArn", "tags", "aliases", "allowedMethods", "cachedMethods", "acmCertificateArn", "iamCertificateId", "timeout", "memorySize", "retentionInDays"],
];
const WORDS = [
  ...["https-only", "http-only", "match-viewer", "TLSv1.2", "TLSv1", "required", "optional", "verify", "off", "REGIONAL", "EDGE", "TLS_1_2", "always", "never", "sigv4", "s3"],
  ...["NONE", "AWS_IAM", "200", "allow-all", "redirect-to-https", "TLSv1.2_2021", "http2and3", "us-east-1", "eu-west-2", UNKNOWN_PLACEHOLDER],
  ...["api.example.com", "API.EXAMPLE.COM.", "b.s3.eu-west-2.amazonaws.com", "B.S3-WEBSITE.EU-WEST-2.AMAZONAWS.COM.", "abc.lambda-url.eu-west-2.on.aws", "dualstack.x-1.eu-west-2.elb.amazonaws.com"],
  ...["x-1.elb.eu-west-2.amazonaws.com", "https://abc.lambda-url.eu-west-2.on.aws/", "https://api.example.com/<*>", "arn:aws:acm:us-east-1:1:certificate/origin", "arn:aws:elasticloadbalancing:eu-west-2:1:loadbalancer/app/x/1"],
  ...[CLIENT_CERT, SERVER_CERT, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", "s3://trust/ca.pem", "xn--", "ａｐｉ。example。com"],
];

const leaf = fc.oneof(
  fc.constantFrom<unknown>(...WORDS),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom<unknown>(null, "", SECRET, HUGE, { [SIG_KEY]: "0000" }, { [SIG_KEY]: SECRET_SIG }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("object"), tie("array")),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie("value"), { maxKeys: 6 }),
  array: fc.array(tie("value"), { maxLength: 4 }),
}));
const props = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 });
const resource = (types: readonly string[]): fc.Arbitrary<EngineResource> =>
  fc.record({ type: fc.oneof(fc.constantFrom(...types), fc.string()), name: fc.string({ maxLength: 12 }), props }).map((r) => ({ ...r, urn: `urn:pulumi:s::p::${r.type}::${r.name}` }));

/** Every path (list of keys) inside a value, so a random one can be replaced. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === "object" && value !== null && !(SIG_KEY in value)) {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf(child, path, out);
    }
  }
  return out;
}

// The secure export and every corpus export the checker reads whole (load balancers, function URLs, tenants, Amplify apps…).
const BASES = [SECURE, ...readdirSync(FIXTURES).filter((f) => /^\d\d-.*\.json$/.test(f)).map((f) => readFileSync(join(FIXTURES, f), "utf8")).filter((text) => JSON.parse(text).edgeMtlsExpectation.exit === 1)];

/** Resources of those exports, with some values deep inside replaced by random ones: reaches the rules' deepest reads. */
const mutatedSecure = fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(), value), { minLength: 1, maxLength: 5 })).map(([base, edits]) => {
  const resources = resourcesFromExportDocument(JSON.parse(BASES[base % BASES.length]), "corpus");
  for (const [which, where, replacement] of edits) {
    const target = resources[which % resources.length];
    const paths = pathsOf(target.props);
    if (paths.length === 0) continue;
    const path = paths[where % paths.length];
    let at: any = target.props;
    for (const key of path.slice(0, -1)) at = at[key];
    at[path[path.length - 1]] = structuredClone(replacement); // a copy: a later edit may write inside it, and fast-check shares constants between runs
  }
  return resources;
});

describe("policies: fuzzing the rules and the checker (fast-check)", function () {
  this.timeout(300_000);
  const work = tempDir();
  after(work.cleanup);

  for (const rule of RULES) {
    const types = rule.kind === "resource" ? rule.resourceTypes : TYPES;
    it(`${rule.name}: random resources of its types (nested nulls, non-strings, secrets, huge strings) never make it throw anything but UnreadableValueError`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.array(resource(types), { minLength: 1, maxLength: 6 }), mutatedSecure), (resources) => {
          const asRule = resources.map(toPolicyResource);
          try {
            const found = rule.kind === "resource" ? asRule.flatMap((r) => rule.check(r)) : rule.check(asRule).map((f) => f.message);
            assert.ok(found.every((m) => typeof m === "string" && m.length > 0 && m.length < 5000), "short messages");
          } catch (error) {
            if (!(error instanceof UnreadableValueError)) throw error;
            assert.ok(error.field.length < 5000 && error.message.length < 10_000);
          }
        }),
        { numRuns: 400 },
      );
    });
  }

  it("the whole pack, with exemptions, never throws on random stacks; what it cannot read is a mandatory, unreadable violation", () => {
    const config: CheckConfig = { "no-open-origins": { exemptions: [{ resource: "", justification: "fuzzing an empty name" }] } };
    fc.assert(
      fc.property(fc.oneof(fc.array(resource(TYPES), { maxLength: 8 }), mutatedSecure), (resources) => {
        for (const v of evaluate(resources, POLICIES, config)) {
          assert.ok(v.enforcementLevel === "mandatory" || (v.enforcementLevel === "advisory" && !v.unreadable));
          assert.ok(POLICIES.some((p) => p.name === v.policy));
        }
      }),
      { numRuns: 400 },
    );
  });

  /** Runs the checker on a document; asserts what must hold whatever the input. */
  async function checkDocument(text: string): Promise<number> {
    let stdout = "";
    let stderr = "";
    const file = put(work.dir, "fuzz.json", text);
    const code = await check(["--state", file, "--json"], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: work.dir });
    assert.ok([0, 1, 2].includes(code), `exit ${code}`);
    assert.doesNotMatch(stderr, /\n\s+at |TypeError|RangeError|PkiError/, stderr.slice(0, 500));
    for (const line of stderr.split("\n").filter(Boolean)) assert.ok(line.startsWith("policy:check: ") && line.length < 800, line.slice(0, 200));
    if (code === 2) assert.ok(stderr.length > 0, "exit 2 says why");
    if (code !== 2 || stdout) JSON.parse(stdout);
    return code;
  }

  it("random documents, and the secure export with random parts replaced, never make the checker print a stack trace", async () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom("inputs", "outputs", "urn", "type", "provider", "id", "resource", "deep"), fc.constantFrom(...KEYS), value);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
        const doc = JSON.parse(SECURE);
        const resources = doc.deployment.resources as any[];
        for (const [n, where, key, generated] of edits) {
          // fast-check hands the same constant objects to many runs: insert a copy, or a later edit mutates the shared one (and can make it circular).
          const v = structuredClone(generated);
          const r = resources[n % resources.length];
          if (where === "resource") resources[n % resources.length] = v;
          else if (where === "deep") {
            const origins = resources.find((x) => x?.type === "aws:cloudfront/distribution:Distribution")?.inputs?.origins;
            if (Array.isArray(origins) && typeof origins[n % 2] === "object" && origins[n % 2] !== null) origins[n % 2][key] = v;
          } else if (typeof r !== "object" || r === null) continue;
          else if ((where === "inputs" || where === "outputs") && typeof r[where] === "object" && r[where] !== null) Object.defineProperty(r[where], key, { value: v, enumerable: true, writable: true, configurable: true });
          else r[where] = v;
        }
        return JSON.stringify(doc);
      })), async (text) => {
        await checkDocument(text);
      }),
      { numRuns: 200 },
    );
  });

  // Every setting of the secure export that keeps the edge mTLS end to end, with an insecure value it may take.
  const D = "edge-distribution";
  const SETTINGS: [resource: string, path: string, insecure: unknown][] = [
    [D, "viewerMtlsConfig", { mode: "optional", trustStoreConfig: { trustStoreId: "ts-1" } }],
    [D, "viewerMtlsConfig.mode", "optional"],
    [D, "viewerMtlsConfig.trustStoreConfig", { trustStoreId: "ts-1", ignoreCertificateExpiry: true }],
    [D, "viewerMtlsConfig.trustStoreConfig.trustStoreId", "   "],
    [D, "viewerCertificate", { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" }],
    [D, "viewerCertificate.minimumProtocolVersion", "TLSv1.1_2016"],
    [D, "defaultCacheBehavior.viewerProtocolPolicy", "allow-all"],
    [D, "orderedCacheBehaviors.0.viewerProtocolPolicy", "allow-all"],
    [D, "origins", [{ originId: "api", domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }]],
    [D, "origins.0.domainName", "site-bucket-abc.s3-website-eu-west-2.amazonaws.com"],
    [D, "origins.0.originAccessControlId", { id: "site-oac-id" }],
    [D, "origins.1.customOriginConfig", { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] }],
    [D, "origins.1.customOriginConfig.originMtlsConfig", { clientCertificateArn: "" }],
    [D, "origins.1.customOriginConfig.originMtlsConfig.clientCertificateArn", ["arn:aws:acm:us-east-1:111111111111:certificate/origin"]],
    [D, "origins.1.customOriginConfig.originProtocolPolicy", "match-viewer"],
    [D, "origins.1.customOriginConfig.originSslProtocols", ["TLSv1.2", "TLSv1.1"]],
    ["api-domain", "mutualTlsAuthentication", { truststoreVersion: "v1" }],
    ["api-domain", "mutualTlsAuthentication.truststoreUri", 0],
    ["api-domain", "endpointConfiguration", { types: "EDGE" }],
    ["api-domain", "endpointConfiguration.types", ["REGIONAL", "EDGE"]],
    ["api-domain", "securityPolicy", "TLS_1_0"],
    ["api-rest", "disableExecuteApiEndpoint", false],
    ["site-bucket-public-access", "blockPublicAcls", false],
    ["site-bucket-public-access", "blockPublicPolicy", "true"],
    ["site-bucket-public-access", "ignorePublicAcls", false],
    ["site-bucket-public-access", "restrictPublicBuckets", false],
    ["site-oac", "signingBehavior", "no-override"],
    ["site-oac", "signingProtocol", "sigv2"],
    ["origin-client-acm", "certificateBody", SERVER_CERT],
  ];
  const MUTATIONS: [name: string, change: (insecure: unknown) => unknown][] = [
    ["delete", () => undefined],
    ["null", () => null],
    ["empty string", () => ""],
    ["empty object", () => ({})],
    ["empty list", () => []],
    ["secret", (insecure) => ({ [SIG_KEY]: SECRET_SIG, ciphertext: `v1:${JSON.stringify(insecure)}` })],
    ["unknown", () => UNKNOWN_PLACEHOLDER],
    ["insecure value", (insecure) => insecure],
  ];

  /** Sets (or deletes) a dotted path in an object, where the path exists (a secret on the way stops it). */
  function setPath(root: any, path: string, value: unknown): boolean {
    const keys = path.split(".");
    let at = root;
    for (const key of keys.slice(0, -1)) {
      if (typeof at?.[key] !== "object" || at[key] === null || SIG_KEY in at[key]) return false;
      at = at[key];
    }
    const last = keys[keys.length - 1];
    if (!(last in at)) return false;
    if (value === undefined) delete at[last];
    else at[last] = value;
    return true;
  }

  it("every mutation of the secure export that removes or weakens a security setting is caught (exit 1, or exit 2 when it cannot be read)", async () => {
    assert.equal(await checkDocument(SECURE), 0);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SETTINGS), fc.constantFrom(...MUTATIONS), async ([name, path, insecure], [, mutate]) => {
        const doc = JSON.parse(SECURE);
        const target = doc.deployment.resources.find((r: { urn: string }) => r.urn.endsWith(`::${name}`));
        const changed = ["inputs", "outputs"].map((bag) => setPath(target[bag], path, mutate(insecure)));
        assert.ok(changed[0], `${name}.${path} is in the secure export's inputs`);
        assert.notEqual(await checkDocument(JSON.stringify(doc)), 0, `${name}.${path}`);
      }),
      { numRuns: 300 },
    );
  });
});

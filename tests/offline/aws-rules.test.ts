import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCaStackConfig } from "../../ca-stack/config";
import { CA_FUNCTIONS, functionStatements } from "../../components/ca-policies";
import { NO_CONTROL_PLANE_LIMIT_RELIED_ON } from "../../offline/aws-rules/coverage";
import { withRulesSection } from "../../offline/aws-rules/readme";
import { AWS_RULES, AwsResourceRule, AwsRule, CAVEAT_KINDS, deploymentViolations, quotaOf, REFUSED_CUSTOM_HEADERS } from "../../offline/aws-rules";
import { assumeRaisedQuotas, DeclaredResource, deploymentRefusals, takeRefusals, toAwsResource } from "../../offline/aws-rules/enforce";
import { OfflineDeploymentFailed } from "../../offline/deployment";
import { installMocks, settle } from "../../offline/pulumi-mocks";
import { createCsr } from "../../pki/csr";
import { check } from "../../policies/check";
import { evaluate, EngineResource } from "../../policies/evaluate";
import { POLICIES } from "../../policies/policies";
import { runExampleDeployment, toEngineResources } from "../../policies/program-run";
import { awsPolicyName } from "../../policies/rules/aws-rules";
import { readWorkloadStackConfig } from "../../workload-stack/config";
import { TEST_CA_ENV } from "../support/ca-deps";
import { tool } from "../support/tools";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
/** A self-signed CA certificate signed with SHA-1 and without clientAuth: what no AWS relying party takes. */
const SHA1_CERT = tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha1", "-subj", "/CN=Legacy CA", "-nodes", "-keyout", "/dev/null", "-days", "1"]).stdout;
const distribution = (origin: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  origins: [{ originId: "api", domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only", httpPort: 80, httpsPort: 443, originSslProtocols: ["TLSv1.2"] }, ...origin }],
  defaultCacheBehavior: { targetOriginId: "api", viewerProtocolPolicy: "https-only" },
  ...extra,
});
/**
 * A self-signed P-256 certificate made by pyca/cryptography (not by this project's encoder): valid
 * from now + notBeforeDays to now + notAfterDays, optionally with an empty Issuer and an OCSP URL.
 */
function pyCertificate(options: { notBeforeDays: number; notAfterDays: number; emptyIssuer?: boolean; ocspUrl?: string; brokenAia?: boolean }): string {
  const script = [
    "import sys, json, datetime",
    "from cryptography import x509",
    "from cryptography.x509.oid import NameOID, AuthorityInformationAccessOID, ExtensionOID",
    "from cryptography.hazmat.primitives import hashes",
    "from cryptography.hazmat.primitives.asymmetric import ec",
    "from cryptography.hazmat.primitives.serialization import Encoding",
    "o = json.loads(sys.stdin.read())",
    "key = ec.generate_private_key(ec.SECP256R1())",
    "now = datetime.datetime.now(datetime.timezone.utc)",
    "name = x509.Name([] if o.get('emptyIssuer') else [x509.NameAttribute(NameOID.COMMON_NAME, 'Imported Test')])",
    "b = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())",
    "b = b.not_valid_before(now + datetime.timedelta(days=o['notBeforeDays'])).not_valid_after(now + datetime.timedelta(days=o['notAfterDays']))",
    "if o.get('ocspUrl'): b = b.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(o['ocspUrl']))]), critical=False)",
    "if o.get('brokenAia'): b = b.add_extension(x509.UnrecognizedExtension(ExtensionOID.AUTHORITY_INFORMATION_ACCESS, b'\\x30\\x03\\x02\\x01'), critical=False)",
    "sys.stdout.write(b.sign(key, hashes.SHA256()).public_bytes(Encoding.PEM).decode())",
  ].join("\n");
  const result = tool("python3", ["-c", script], { input: JSON.stringify(options) });
  if (result.status !== 0) throw new Error(`pyca/cryptography could not make the certificate: ${result.stderr}`);
  return result.stdout;
}
const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** For every resource rule: a resource AWS would refuse under it. */
const BROKEN: Record<string, { type: string; props: Record<string, unknown> }> = {
  "cloudfront-origin-custom-header-name": { type: DISTRIBUTION, props: distribution({ customHeaders: [{ name: "X-Edge-Mtls-Origin", value: "s" }] }) },
  "cloudfront-origin-custom-header-size": { type: DISTRIBUTION, props: distribution({ customHeaders: [{ name: "X-Origin-Verify", value: "v".repeat(1784) }] }) },
  "cloudfront-origin-custom-headers": { type: DISTRIBUTION, props: distribution({ customHeaders: many(11, "X-H").map((name) => ({ name, value: "v" })) }) },
  "cloudfront-origin-request-policy-headers": { type: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", props: { name: "p", headersConfig: { headerBehavior: "whitelist", headers: { items: many(11, "X-H") } } } },
  "cloudfront-origin-request-policy-cookies": { type: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", props: { name: "p", cookiesConfig: { cookieBehavior: "whitelist", cookies: { items: many(11, "c") } } } },
  "cloudfront-origin-request-policy-query-strings": { type: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", props: { name: "p", queryStringsConfig: { queryStringBehavior: "whitelist", queryStrings: { items: many(11, "q") } } } },
  "cloudfront-cache-policy-headers": { type: "aws:cloudfront/cachePolicy:CachePolicy", props: { name: "p", parametersInCacheKeyAndForwardedToOrigin: { headersConfig: { headerBehavior: "whitelist", headers: { items: many(11, "X-H") } } } } },
  "cloudfront-cache-policy-cookies": { type: "aws:cloudfront/cachePolicy:CachePolicy", props: { name: "p", parametersInCacheKeyAndForwardedToOrigin: { cookiesConfig: { cookieBehavior: "whitelist", cookies: { items: many(11, "c") } } } } },
  "cloudfront-cache-policy-query-strings": { type: "aws:cloudfront/cachePolicy:CachePolicy", props: { name: "p", parametersInCacheKeyAndForwardedToOrigin: { queryStringsConfig: { queryStringBehavior: "whitelist", queryStrings: { items: many(11, "q") } } } } },
  "cloudfront-cache-behaviors-per-distribution": { type: DISTRIBUTION, props: distribution({}, { orderedCacheBehaviors: many(76, "/p").map((pathPattern) => ({ pathPattern, targetOriginId: "api", viewerProtocolPolicy: "https-only" })) }) },
  "cloudfront-viewer-mtls-requirements": { type: DISTRIBUTION, props: distribution({}, { httpVersion: "http2and3", viewerMtlsConfig: { mode: "required", trustStoreConfig: { trustStoreId: "ts" } } }) },
  "cloudfront-origin-mtls-requirements": { type: DISTRIBUTION, props: distribution({ customOriginConfig: { originProtocolPolicy: "https-only", originMtlsConfig: { clientCertificateArn: "arn:aws:acm:eu-west-2:111111111111:certificate/x" } } }) },
  "cloudfront-policy-name": { type: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", props: { name: "api policy!" } },
  "cloudfront-origin-access-control-name": { type: "aws:cloudfront/originAccessControl:OriginAccessControl", props: { name: "o".repeat(65), originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" } },
  "cloudfront-key-value-store-name": { type: "aws:cloudfront/keyValueStore:KeyValueStore", props: { name: "revoked.serials" } },
  "cloudfront-key-value-store-data": { type: "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", props: { keyValueStoreArn: "arn", key: "k".repeat(513), value: "v" } },
  "cloudfront-connection-function-name": { type: "aws:cloudfront/connectionFunction:ConnectionFunction", props: { name: "f".repeat(65), connectionFunctionCode: "x" } },
  "cloudfront-function-code-size": { type: "aws:cloudfront/connectionFunction:ConnectionFunction", props: { name: "f", connectionFunctionCode: "x".repeat(10 * 1024 + 1) } },
  "apigateway-mtls-domain": { type: "aws:apigateway/domainName:DomainName", props: { domainName: "api.example.com", endpointConfiguration: { types: "EDGE" }, securityPolicy: "TLS_1_0", mutualTlsAuthentication: { truststoreUri: "https://bucket/key" } } },
  "apigateway-authorizer-identity-source": { type: "aws:apigateway/authorizer:Authorizer", props: { restApi: "r", type: "REQUEST", identitySource: "header.X-Origin-Verify" } },
  "lambda-function-name": { type: "aws:lambda/function:Function", props: { name: "edge-mtls-" + "x".repeat(60) } },
  "lambda-environment-size": { type: "aws:lambda/function:Function", props: { name: "f", environment: { variables: { BIG: "x".repeat(4096) } } } },
  "lambda-environment-names": { type: "aws:lambda/function:Function", props: { name: "f", environment: { variables: { AWS_REGION: "eu-west-2" } } } },
  "lambda-memory-timeout-description": { type: "aws:lambda/function:Function", props: { name: "f", timeout: 901 } },
  "iam-role-name": { type: "aws:iam/role:Role", props: { namePrefix: "p".repeat(39), assumeRolePolicy: "{}" } },
  "s3-bucket-name": { type: "aws:s3/bucket:Bucket", props: { bucket: "Edge_Mtls_Bucket" } },
  "kms-alias-name": { type: "aws:kms/alias:Alias", props: { name: "alias/aws/edge-mtls", targetKeyId: "k" } },
  "cloudwatch-log-group-name": { type: "aws:cloudwatch/logGroup:LogGroup", props: { name: "/aws/lambda/edge mtls" } },
  "cloudwatch-log-group-retention": { type: "aws:cloudwatch/logGroup:LogGroup", props: { name: "/aws/lambda/f", retentionInDays: 2 } },
  "cloudwatch-alarm-name": { type: "aws:cloudwatch/metricAlarm:MetricAlarm", props: { name: "a".repeat(256), period: 60 } },
  "cloudwatch-alarm-period-description": { type: "aws:cloudwatch/metricAlarm:MetricAlarm", props: { name: "a", period: 45 } },
  "scheduler-schedule-name": { type: "aws:scheduler/schedule:Schedule", props: { name: "crl schedule", scheduleExpression: "rate(1 hour)" } },
  "dynamodb-table-name": { type: "aws:dynamodb/table:Table", props: { name: "ca inventory" } },
  "cloudfront-alternate-domain-names": { type: DISTRIBUTION, props: distribution({}, { aliases: ["WWW.example.com"], viewerCertificate: { acmCertificateArn: "arn:aws:acm:eu-west-2:111111111111:certificate/edge", sslSupportMethod: "sni-only" } }) },
  "cloudfront-behaviour-methods": { type: DISTRIBUTION, props: distribution({}, { defaultCacheBehavior: { targetOriginId: "api", viewerProtocolPolicy: "https-only", allowedMethods: ["GET", "HEAD", "POST"], cachedMethods: ["GET", "HEAD"] } }) },
  "cloudfront-distribution-tags": { type: DISTRIBUTION, props: distribution({}, { tags: { "edge-mtls:purpose": "public pki!" } }) },
  "lambda-event-invoke-config": { type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", props: { functionName: "f", maximumRetryAttempts: 3 } },
  "scheduler-schedule-expression": { type: "aws:scheduler/schedule:Schedule", props: { name: "crl", scheduleExpression: "rate(1 hours)", flexibleTimeWindow: { mode: "OFF" }, target: { arn: "arn", roleArn: "role" } } },
  "eventbridge-rule-name": { type: "aws:cloudwatch/eventRule:EventRule", props: { name: "edge-mtls key changes", eventPattern: "{}" } },
  "eventbridge-rule-description": { type: "aws:cloudwatch/eventRule:EventRule", props: { name: "r", description: "d".repeat(513), eventPattern: "{}" } },
  "eventbridge-event-pattern-size": { type: "aws:cloudwatch/eventRule:EventRule", props: { name: "r", eventPattern: JSON.stringify({ source: ["aws.kms"], detail: { requestParameters: { keyId: many(60, "arn:aws:kms:eu-west-2:111111111111:key/") } } }) } },
  "acm-requested-certificate": { type: "aws:acm/certificate:Certificate", props: { domainName: `${"a".repeat(60)}.example.com`, validationMethod: "DNS", keyAlgorithm: "EC_secp521r1" } },
  "acm-import-certificate-fields": { type: "aws:acm/certificate:Certificate", props: { certificateBody: pyCertificate({ notBeforeDays: 1, notAfterDays: 30 }) } },
  "s3-read-before-write-needs-list-bucket": {
    type: "aws:iam/rolePolicy:RolePolicy",
    props: { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::ca-bucket/issuing-ca.crl" }] }) },
  },
  "acm-import-limits": { type: "aws:acm/certificate:Certificate", props: { certificateBody: SHA1_CERT, privateKey: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n" } },
};

const csrFor = (commonName: string) => createCsr(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, { commonName, organizationalUnit: "Elsewhere" });
const declared = (type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}): DeclaredResource => ({ type, name, inputs, outputs: { id: `${name}_id`, ...outputs } });

/** For every deployment rule: resources that together break it. */
const BROKEN_DEPLOYMENTS: Record<string, DeclaredResource[]> = {
  "apigateway-authorizer-identity-sent-by-cloudfront": [
    declared("aws:apigateway/authorizer:Authorizer", "authorizer", { restApi: "rest_id", type: "REQUEST", authorizerResultTtlInSeconds: 0 }),
    declared("aws:apigateway/basePathMapping:BasePathMapping", "mapping", { restApi: "rest_id", domainName: "api.example.com" }),
    declared(DISTRIBUTION, "edge", distribution({ customHeaders: [{ name: "X-Origin-Verify", value: "s" }] })),
  ],
  "cloudfront-trust-store-bundle": [
    declared("aws:s3/bucket:Bucket", "trust", {}, { bucket: "trust-bucket" }),
    declared("aws:s3/bucketObjectv2:BucketObjectv2", "bundle", { bucket: "trust_id", key: "ca-bundle.pem", content: SHA1_CERT + "\n" + SHA1_CERT }),
    declared("aws:cloudfront/trustStore:TrustStore", "store", { caCertificatesBundleSource: { caCertificatesBundleS3Location: { bucket: "trust-bucket", key: "ca-bundle.pem", region: "eu-west-2" } } }),
  ],
  "apigateway-truststore-bundle": [
    declared("aws:s3/bucketObjectv2:BucketObjectv2", "bundle", { bucket: "trust-bucket", key: "ca-bundle.pem", content: SHA1_CERT }),
    declared("aws:apigateway/domainName:DomainName", "domain", { domainName: "api.example.com", mutualTlsAuthentication: { truststoreUri: "s3://trust-bucket/ca-bundle.pem" } }),
  ],
  "cloudfront-origin-client-certificate": [
    declared("aws:acm/certificate:Certificate", "origin-cert", { certificateBody: SHA1_CERT }, { arn: "arn:aws:acm:us-east-1:111111111111:certificate/c" }),
    declared(DISTRIBUTION, "edge", distribution({ customOriginConfig: { originProtocolPolicy: "https-only", originMtlsConfig: { clientCertificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/c" } } })),
  ],
  "apigateway-mtls-ownership-verification": [
    declared("aws:acm/certificate:Certificate", "api-cert", { certificateBody: SHA1_CERT }, { arn: "arn:aws:acm:eu-west-2:111111111111:certificate/a" }),
    declared("aws:apigateway/domainName:DomainName", "domain", { domainName: "api.example.com", regionalCertificateArn: "arn:aws:acm:eu-west-2:111111111111:certificate/a", mutualTlsAuthentication: { truststoreUri: "s3://b/k" } }),
  ],
  "ca-name-policy-admits-workload-certificates": [
    declared("aws:lambda/function:Function", "issuer", { name: "edge-mtls-dev-ca-issuer", environment: { variables: TEST_CA_ENV } }),
    declared("aws:lambda/invocation:Invocation", "origin-client-issue", { functionName: "edge-mtls-dev-ca-issuer", input: JSON.stringify({ action: "issue", csrPem: csrFor("Not On The Policy"), purposes: ["client_auth"], lifetimeDays: 1 }) }),
  ],
};

const engine = (resources: readonly DeclaredResource[]): EngineResource[] => resources.map((r) => ({ type: r.type, name: r.name, urn: `urn:pulumi:t::edge-mtls::${r.type}::${r.name}`, props: { ...(r.outputs ?? {}), ...r.inputs } }));

/** Any provider resource, by type token: what the mocks see is the same as for the typed classes. */
class AnyResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: Record<string, unknown>) {
    super(type, name, props);
  }
}

/** Registers one resource under the offline mocks and returns what they refused (registration failures kept from mocha's handlers). */
async function registerUnderMocks(type: string, name: string, props: Record<string, unknown>) {
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const ignore = () => undefined;
  process.on("unhandledRejection", ignore);
  try {
    takeRefusals();
    new AnyResource(type, name, props);
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return takeRefusals();
  } finally {
    process.removeListener("unhandledRejection", ignore);
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
}

describe("offline/aws-rules: the catalogue", function () {
  this.timeout(240_000);
  before(() => installMocks({ "edge-mtls:role": "ca", "aws:region": "eu-west-2" }, "aws-rules-test"));

  it("gives every rule a unique id, what AWS requires, the error it prevents, and an AWS source (the CA's own rule excepted)", () => {
    const ids = AWS_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of AWS_RULES) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(rule.summary.length > 20 && rule.awsError.length > 5, rule.id);
      assert.ok(rule.sources.length > 0, rule.id);
      if (rule.id !== "ca-name-policy-admits-workload-certificates") assert.ok(rule.sources.some((s) => /^https:\/\/(docs\.aws\.amazon\.com|repost\.aws)\//.test(s.url)), `${rule.id} cites AWS`);
      if (rule.kind === "quota") assert.ok(Number.isInteger(rule.defaultQuota), rule.id);
    }
  });

  it("has a breaking example for every rule (none is left untested)", () => {
    assert.deepEqual(AWS_RULES.map((r) => r.id).filter((id) => !(id in BROKEN) && !(id in BROKEN_DEPLOYMENTS)), []);
  });

  for (const rule of AWS_RULES.filter((r): r is Extract<AwsRule, { scope: "resource" }> => r.scope === "resource")) {
    it(`${rule.id}: the mocks refuse a resource that breaks it, with ${rule.awsError.split(" ")[0]} and the source; the pack flags it`, async () => {
      const example = BROKEN[rule.id]!;
      const refusals = await registerUnderMocks(example.type, `broken-${rule.id}`, example.props);
      const mine = refusals.filter((v) => v.rule === rule.id);
      assert.ok(mine.length > 0, `the mocks accepted it: ${JSON.stringify(refusals.map((r) => r.rule))}`);
      assert.equal(mine[0]!.awsError, rule.awsError);
      assert.equal(mine[0]!.source, rule.sources[0]!.url);
      const violations = evaluate(engine([declared(example.type, `broken-${rule.id}`, example.props)]), POLICIES);
      const flagged = violations.filter((v) => v.policy === awsPolicyName(rule));
      assert.ok(flagged.length > 0, `the pack did not flag it: ${JSON.stringify(violations.map((v) => v.policy))}`);
      assert.equal(flagged[0]!.enforcementLevel, rule.kind === "quota" ? "advisory" : "mandatory");
      assert.ok(flagged[0]!.message.includes(rule.sources[0]!.url));
    });
  }

  for (const rule of AWS_RULES.filter((r) => r.scope === "deployment")) {
    it(`${rule.id}: refused when the run completes; the pack flags it`, () => {
      const resources = BROKEN_DEPLOYMENTS[rule.id]!;
      assert.ok(deploymentRefusals(resources).some((v) => v.rule === rule.id));
      assert.ok(evaluate(engine(resources), POLICIES).some((v) => v.policy === awsPolicyName(rule) && v.enforcementLevel === "mandatory"));
    });
  }

  it("the README's list of rules is the one the catalogue generates (npm run docs:rules)", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    assert.equal(withRulesSection(readme), readme, "README.md is out of date: run npm run docs:rules");
    for (const rule of AWS_RULES) assert.ok(readme.includes(`\`aws-${rule.id}\``), rule.id);
  });

  it("a raised quota set in the pack's config lifts the advisory finding; the mocks assume AWS's default", () => {
    const example = BROKEN["cloudfront-origin-request-policy-headers"]!;
    const resources = engine([declared(example.type, "p", example.props)]);
    const name = "aws-cloudfront-origin-request-policy-headers";
    assert.equal(evaluate(resources, POLICIES).filter((v) => v.policy === name).length, 1);
    assert.deepEqual(evaluate(resources, POLICIES, { [name]: { quota: 25 } as never }).filter((v) => v.policy === name), []);
  });

  it("refuses every name on CloudFront's custom-header deny list, in any case, and accepts X-Origin-Verify", () => {
    const rule = AWS_RULES.find((r) => r.id === "cloudfront-origin-custom-header-name")!;
    if (rule.scope !== "resource") throw new Error("resource rule expected");
    const withHeader = (name: string) => rule.check(toAwsResource(declared(DISTRIBUTION, "d", distribution({ customHeaders: [{ name, value: "v" }] })), []), 0);
    for (const name of [...REFUSED_CUSTOM_HEADERS, "x-amz-anything", "X-EDGE-ANYTHING", "host"]) assert.equal(withHeader(name).length, 1, name);
    assert.deepEqual(withHeader("X-Origin-Verify"), []);
  });

  it("reads custom headers as each distribution type spells them, and judges a header's name even when its value is an export's secret", () => {
    const multitenant = evaluate(
      engine([declared("aws:cloudfront/multitenantDistribution:MultitenantDistribution", "tenants", { origins: [{ id: "api", domainName: "api.example.com", customHeaders: [{ headerName: "X-Amz-Origin", headerValue: "s" }] }], defaultCacheBehavior: { targetOriginId: "api", viewerProtocolPolicy: "https-only" } })]),
      POLICIES,
    ).filter((v) => v.policy === "aws-cloudfront-origin-custom-header-name");
    assert.equal(multitenant.length, 1);
    assert.match(multitenant[0]!.message, /X-Amz-Origin: CloudFront reserves the X-Amz- prefix/);
    const secretValue = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:AAAA" };
    const exported = (name: string) => evaluate(engine([declared(DISTRIBUTION, "edge", distribution({ customHeaders: [{ name, value: secretValue }] }))]), POLICIES).filter((v) => v.policy.startsWith("aws-"));
    assert.deepEqual(exported("X-Origin-Verify"), [], "a secret value is not judged (AWS accepted it; the mocks judge it in plaintext)");
    assert.deepEqual(exported("X-Edge-Origin").map((v) => [v.policy, v.unreadable]), [["aws-cloudfront-origin-custom-header-name", undefined]]);
  });

  it("says of every rule where AWS's text leaves a fact open which kind of caveat it is, and the README shows it", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    for (const rule of AWS_RULES.filter((r) => r.disagreement !== undefined)) {
      assert.ok(CAVEAT_KINDS.some((kind) => rule.disagreement!.startsWith(kind)), `${rule.id}: ${rule.disagreement}`);
      assert.ok(readme.includes(rule.disagreement!.replace(/\|/g, "\\|")), `${rule.id}: the README lacks its caveat`);
    }
    // The facts no AWS text reachable here settles (docs/aws-facts): each rule relying on one says so.
    const caveat = (id: string) => AWS_RULES.find((r) => r.id === id)?.disagreement ?? "";
    for (const id of ["cloudfront-origin-access-control-name", "cloudfront-policy-name", "cloudfront-trust-store-bundle", "cloudfront-origin-custom-headers", "cloudfront-origin-custom-header-size", "apigateway-authorizer-identity-source", "apigateway-truststore-bundle", "cloudfront-origin-client-certificate"]) {
      assert.match(caveat(id), /Not found in AWS text reachable here/, id);
    }
    for (const id of ["cloudfront-function-code-size", "cloudfront-key-value-store-data", "cloudfront-cache-behaviors-per-distribution", "lambda-memory-timeout-description"]) assert.match(caveat(id), /^Sources disagree/, id);
    assert.match(caveat("cloudfront-key-value-store-data"), /Not found in AWS text reachable here: the 5 MB total/);
  });

  it("names only resource types @pulumi/aws defines (a misspelt type token would never match a resource)", () => {
    const root = join(require.resolve("@pulumi/aws/package.json"), "..");
    const types = new Set([...AWS_RULES.flatMap((r) => (r.scope === "resource" ? r.resourceTypes : [])), ...Object.keys(NO_CONTROL_PLANE_LIMIT_RELIED_ON)]);
    for (const type of types) {
      const [, module, file] = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):[A-Za-z0-9]+$/.exec(type) ?? [];
      assert.ok(module && file, type);
      let source = "";
      try {
        source = readFileSync(join(root, module, `${file}.js`), "utf8");
      } catch {
        assert.fail(`${type}: @pulumi/aws has no ${module}/${file}.js`);
      }
      assert.ok(source.includes(`'${type}'`) || source.includes(`"${type}"`), `${type}: not the type token of @pulumi/aws's ${module}/${file}`);
    }
  });

  /** What one resource rule finds in a resource; `fresh`: as the mocks see it (a fresh import), else as the pack and exports do. */
  const findings = (id: string, type: string, props: Record<string, unknown>, options: { fresh?: boolean; quota?: number } = {}) => {
    const rule = AWS_RULES.find((r): r is AwsResourceRule => r.id === id && r.scope === "resource");
    if (!rule) throw new Error(`no resource rule ${id}`);
    return rule.check({ ...toAwsResource(declared(type, "r", props), []), declaredOnly: options.fresh ?? true }, options.quota ?? quotaOf(rule));
  };

  it("Lambda environment variable names: a letter first, at least two characters (API pattern [a-zA-Z]([a-zA-Z0-9_])+)", () => {
    const names = (variables: Record<string, string>) => findings("lambda-environment-names", "aws:lambda/function:Function", { name: "f", environment: { variables } });
    for (const bad of ["A", "x", "1A", "_A", "A-B", "AB C"]) assert.equal(names({ [bad]: "v" }).length, 1, bad);
    assert.deepEqual(names({ AB: "v", a1: "v", A_: "v", CA_POLICY: "v" }), []);
    assert.match(names({ A: "v" })[0]!, /at least two characters/);
  });

  it("CloudWatch Logs refuses a log group name starting with aws/, and accepts /aws/lambda/…", () => {
    const group = (name: string) => findings("cloudwatch-log-group-name", "aws:cloudwatch/logGroup:LogGroup", { name });
    assert.match(group("aws/edge-mtls")[0]!, /starts with aws\/, which CloudWatch Logs reserves/);
    assert.deepEqual(group("/aws/lambda/edge-mtls-dev-ca-issuer"), []);
    assert.deepEqual(group("edge-mtls/aws/x"), []);
  });

  it("CloudWatch alarms: period × evaluation periods at most 7 days, at most 1 day under an hour's period; no DEL in a name", () => {
    const alarm = (period: number, evaluationPeriods: number) => findings("cloudwatch-alarm-period-description", "aws:cloudwatch/metricAlarm:MetricAlarm", { name: "a", period, evaluationPeriods });
    assert.deepEqual(alarm(300, 288), [], "300 × 288 = 86,400");
    assert.match(alarm(300, 289)[0]!, /86,700 s; CloudWatch accepts at most 86,400 \(one day\) for periods under an hour/);
    assert.match(alarm(60, 1441)[0]!, /= 86,460 s/);
    assert.deepEqual(alarm(3600, 168), [], "3,600 × 168 = 604,800");
    assert.match(alarm(3600, 169)[0]!, /608,400 s; CloudWatch accepts at most 604,800/);
    assert.match(alarm(86400, 8)[0]!, /604,800/);
    assert.deepEqual(alarm(20, 10), [], "20 s is a valid period");
    assert.equal(alarm(40, 1).length, 1);
    const named = (name: string) => findings("cloudwatch-alarm-name", "aws:cloudwatch/metricAlarm:MetricAlarm", { name, period: 60 });
    assert.equal(named("edge-mtls\x7falarm").length, 1, "DEL is an ASCII control character");
    assert.equal(named("edge-mtls\x1falarm").length, 1);
    assert.deepEqual(named("edge-mtls – alarm ✓"), [], "UTF-8 beyond ASCII is fine");
  });

  it("KeyValueStore keys and values are limited in characters (key 512, the stricter of the guide's 512 and the API's 1,024; value 1,024)", () => {
    const pair = (key: string, value: string) => findings("cloudfront-key-value-store-data", "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", { keyValueStoreArn: "arn", key, value });
    assert.deepEqual(pair("é".repeat(512), "ü".repeat(1024)), [], "512 and 1,024 two-byte characters");
    assert.match(pair("k".repeat(513), "v")[0]!, /has 513 characters; at most 512/);
    assert.match(pair("k", "v".repeat(1025))[0]!, /has 1025 characters; at most 1,024/);
    const exclusive = findings("cloudfront-key-value-store-data", "aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive", {
      keyValueStoreArn: "arn",
      resourceKeyValuePairs: Array.from({ length: 5200 }, (_, i) => ({ key: `serial-${String(i).padStart(6, "0")}`, value: "r".repeat(1000) })),
    });
    assert.ok(exclusive.some((m) => /a store holds at most 5 MB/.test(m)), exclusive.join("\n"));
  });

  it("counts custom origin headers over all origins of a distribution (the stricter reading of the quota)", () => {
    const headers = (n: number) => many(n, "X-H").map((name) => ({ name, value: "v" }));
    const twoOrigins = (a: number, b: number) => ({
      origins: [
        { originId: "api", domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only" }, customHeaders: headers(a) },
        { originId: "other", domainName: "other.example.com", customOriginConfig: { originProtocolPolicy: "https-only" }, customHeaders: headers(b) },
      ],
      defaultCacheBehavior: { targetOriginId: "api", viewerProtocolPolicy: "https-only" },
    });
    assert.deepEqual(findings("cloudfront-origin-custom-headers", DISTRIBUTION, twoOrigins(5, 5)), []);
    assert.match(findings("cloudfront-origin-custom-headers", DISTRIBUTION, twoOrigins(6, 5))[0]!, /has 11 custom origin headers \(origin api: 6, origin other: 5\)|has 11 custom origin headers/);
    assert.deepEqual(findings("cloudfront-origin-custom-headers", DISTRIBUTION, twoOrigins(6, 5), { quota: 11 }), []);
    const long = (n: number) => [{ name: "X-Origin-Verify", value: "v".repeat(n) }];
    const size = (a: number, b: number) => findings("cloudfront-origin-custom-header-size", DISTRIBUTION, { ...twoOrigins(0, 0), origins: twoOrigins(0, 0).origins.map((o, i) => ({ ...o, customHeaders: [...long(1700), ...long(1700), ...long(1700)].slice(0, i === 0 ? a : b) })) });
    assert.deepEqual(size(3, 2), [], "5 × 1,715 = 8,575 characters");
    assert.match(size(3, 3)[0]!, /total 10290 characters; at most 10,240/);
  });

  it("takes 75 cache behaviours by default (the current quotas pages), and a different quota from the pack's config", () => {
    const behaviours = (n: number) => distribution({}, { orderedCacheBehaviors: many(n, "/p").map((pathPattern) => ({ pathPattern, targetOriginId: "api", viewerProtocolPolicy: "https-only" })) });
    assert.deepEqual(findings("cloudfront-cache-behaviors-per-distribution", DISTRIBUTION, behaviours(75)), []);
    assert.match(findings("cloudfront-cache-behaviors-per-distribution", DISTRIBUTION, behaviours(76))[0]!, /76 cache behaviours; the quota is 75/);
    const flagged = (n: number, config: Record<string, unknown>) => evaluate(engine([declared(DISTRIBUTION, "edge", behaviours(n))]), POLICIES, config as never).filter((v) => v.policy === "aws-cloudfront-cache-behaviors-per-distribution");
    assert.equal(flagged(26, {}).length, 0);
    assert.equal(flagged(26, { "aws-cloudfront-cache-behaviors-per-distribution": { quota: 25 } }).length, 1, "an account held to the older 25");
    assert.equal(flagged(76, {})[0]!.enforcementLevel, "advisory");
    assert.deepEqual(flagged(76, { "aws-cloudfront-cache-behaviors-per-distribution": { quota: 100 } }), []);
  });

  it("refuses a distribution whose origins use more than 5 distinct origin mTLS certificates (one CreateDistribution call adds at most 5)", () => {
    const origins = (arns: string[]) => ({
      origins: arns.map((arn, i) => ({ originId: `o${i}`, domainName: `o${i}.example.com`, customOriginConfig: { originProtocolPolicy: "https-only", originMtlsConfig: { clientCertificateArn: arn } } })),
      defaultCacheBehavior: { targetOriginId: "o0", viewerProtocolPolicy: "https-only" },
    });
    const arn = (i: number) => `arn:aws:acm:us-east-1:111111111111:certificate/c${i}`;
    assert.deepEqual(findings("cloudfront-origin-mtls-requirements", DISTRIBUTION, origins([0, 1, 2, 3, 4].map(arn))), []);
    assert.deepEqual(findings("cloudfront-origin-mtls-requirements", DISTRIBUTION, origins([0, 1, 2, 3, 4, 0, 1].map(arn))), [], "seven origins, five certificates");
    assert.match(findings("cloudfront-origin-mtls-requirements", DISTRIBUTION, origins([0, 1, 2, 3, 4, 5].map(arn)))[0]!, /6 distinct origin mTLS certificates; one CreateDistribution call adds at most 5/);
    assert.match(AWS_RULES.find((r) => r.id === "cloudfront-origin-mtls-requirements")!.notOffline!, /UpdateDistribution/);
  });

  it("origin mTLS certificates: signed with SHA-256/384/512 (a SHA-1 certificate is refused, a SHA-256 one is not)", () => {
    const arn = "arn:aws:acm:us-east-1:111111111111:certificate/c";
    const signatureFindings = (body: string) =>
      deploymentRefusals([
        declared("aws:acm/certificate:Certificate", "origin-cert", { certificateBody: body }, { arn }),
        declared(DISTRIBUTION, "edge", distribution({ customOriginConfig: { originProtocolPolicy: "https-only", originMtlsConfig: { clientCertificateArn: arn } } })),
      ]).filter((v) => v.rule === "cloudfront-origin-client-certificate" && /is signed with/.test(v.message));
    assert.match(signatureFindings(SHA1_CERT)[0]!.message, /is signed with 1\.2\.840\.10045\.4\.1; origin mTLS accepts SHA-256, SHA-384 or SHA-512/);
    assert.deepEqual(signatureFindings(pyCertificate({ notBeforeDays: -1, notAfterDays: 1 })), []);
  });

  it("origin mTLS certificates: the chain at most 64 KB and the certificate at most 96 KB, as AWS words them", () => {
    const arn = "arn:aws:acm:us-east-1:111111111111:certificate/c";
    const deployment = (chain: string) => [
      declared("aws:acm/certificate:Certificate", "origin-cert", { certificateBody: SHA1_CERT, certificateChain: chain }, { arn }),
      declared(DISTRIBUTION, "edge", distribution({ customOriginConfig: { originProtocolPolicy: "https-only", originMtlsConfig: { clientCertificateArn: arn } } })),
    ];
    const sizeFindings = (chain: string) => deploymentRefusals(deployment(chain)).filter((v) => v.rule === "cloudfront-origin-client-certificate" && /KB/.test(v.message));
    const padded = (bytes: number) => SHA1_CERT + "#".repeat(bytes - SHA1_CERT.length);
    assert.deepEqual(sizeFindings(padded(64 * 1024)), [], "a 64 KB chain");
    assert.match(sizeFindings(padded(64 * 1024 + 1))[0]!.message, /chain is 65537 bytes; origin mTLS accepts at most 64 KB \(65,536 bytes\)/);
  });

  it("ACM imports a certificate only while it is valid, with an Issuer, and an OCSP URL of at most 1,000 characters (certificates made by pyca/cryptography)", () => {
    const fields = (body: string, fresh = true) => findings("acm-import-certificate-fields", "aws:acm/certificate:Certificate", { certificateBody: body }, { fresh });
    assert.deepEqual(fields(pyCertificate({ notBeforeDays: -1, notAfterDays: 90, ocspUrl: `http://ocsp.example.com/${"o".repeat(1000 - 24)}` })), [], "valid now, a 1,000-character OCSP URL");
    const expired = pyCertificate({ notBeforeDays: -90, notAfterDays: -1 });
    assert.match(fields(expired)[0]!, /expired on .*ACM imports a certificate only between its Not Before and Not After/);
    assert.deepEqual(fields(expired, false), [], "a recorded body (export, preview) is the one imported at creation; the renewer re-imports outside Pulumi");
    const early = pyCertificate({ notBeforeDays: 1, notAfterDays: 90 });
    assert.match(fields(early)[0]!, /not valid before/);
    assert.match(fields(early, false)[0]!, /not valid before/, "a certificate not yet valid was never importable");
    assert.match(fields(pyCertificate({ notBeforeDays: -1, notAfterDays: 1, emptyIssuer: true }))[0]!, /Issuer field is empty/);
    assert.match(fields(pyCertificate({ notBeforeDays: -1, notAfterDays: 1, ocspUrl: `http://ocsp.example.com/${"o".repeat(1001 - 24)}` }))[0]!, /OCSP URL has 1001 characters; ACM imports at most 1,000/);
    assert.match(fields("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")[0]!, /no readable PEM X.509 certificate/);
    assert.match(fields(pyCertificate({ notBeforeDays: -1, notAfterDays: 1, brokenAia: true }))[0]!, /authority information access extension is not readable DER/, "a malformed extension is a finding, not a crash");
  });

  it("API Gateway: mutual TLS only with TLS_1_2 (no enhanced SecurityPolicy_* policy); no multivalue identity sources", () => {
    const domain = (securityPolicy: string) => findings("apigateway-mtls-domain", "aws:apigateway/domainName:DomainName", { domainName: "api.example.com", regionalCertificateArn: "arn:aws:acm:eu-west-2:1:certificate/a", endpointConfiguration: { types: "REGIONAL" }, securityPolicy, mutualTlsAuthentication: { truststoreUri: "s3://trust-bucket/ca.pem" } });
    assert.deepEqual(domain("TLS_1_2"), []);
    for (const enhanced of ["SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_2_2021_06", "SecurityPolicy_TLS13_1_2_PQ_2025_09"]) assert.match(domain(enhanced)[0]!, /does not enable mutual TLS on a domain with an enhanced security policy/, enhanced);
    assert.match(domain("TLS_1_0")[0]!, /needs TLS 1.2 at least/);
    const identity = (identitySource: string) => findings("apigateway-authorizer-identity-source", "aws:apigateway/authorizer:Authorizer", { restApi: "r", type: "REQUEST", identitySource });
    assert.equal(identity("method.request.multivalueheader.X-Origin-Verify").length, 1);
    assert.deepEqual(identity("method.request.header.X-Origin-Verify, context.identity.sourceIp"), []);
  });

  it("a role that reads and writes an object needs an unconditioned s3:ListBucket on its bucket (else S3 answers 403 for a missing object); the CA's own role policies pass", () => {
    const rule = AWS_RULES.find((r) => r.id === "s3-read-before-write-needs-list-bucket") as AwsResourceRule;
    const role = (statements: unknown[]) => toAwsResource({ type: "aws:iam/rolePolicy:RolePolicy", name: "p", inputs: { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }, outputs: {} }, []);
    const readWrite = { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::b/a.crl", "arn:aws:s3:::b/b.pem"] };
    assert.equal(rule.check(role([readWrite]), 0).length, 1);
    assert.deepEqual(rule.check(role([readWrite, { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b" }]), 0), []);
    assert.deepEqual(rule.check(role([readWrite, { Effect: "Allow", Action: "s3:List*", Resource: ["arn:aws:s3:::b"] }]), 0), []);
    assert.equal(rule.check(role([readWrite, { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::other" }]), 0).length, 1);
    assert.equal(rule.check(role([readWrite, { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Condition: { StringEquals: { "s3:prefix": "a.crl" } } }]), 0).length, 1, "a prefix condition is not known to hold for S3's check");
    assert.deepEqual(rule.check(role([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/a.crl" }]), 0), [], "a reader only does not need it");
    // The CA functions' declared policies, as the stack writes them.
    for (const fn of CA_FUNCTIONS) {
      const statements = functionStatements(fn, { partition: "aws", accountId: "1", rootKeyArn: "arn:aws:kms:eu-west-2:1:key/r", issuingKeyArn: "arn:aws:kms:eu-west-2:1:key/i", tableArn: "arn:aws:dynamodb:eu-west-2:1:table/t", bucketArn: "arn:aws:s3:::ca" });
      assert.deepEqual(rule.check(role(statements), 0), [], fn);
      assert.equal(rule.check(role(statements.filter((s) => s.Sid !== "TellMissingObjects")), 0).length, fn === "ca-issuer" ? 0 : 1, `${fn} without TellMissingObjects`);
    }
  });

  it("asynchronous invocation settings: retries 0–2, event age 60–21,600 seconds", () => {
    const config = (props: Record<string, unknown>) => findings("lambda-event-invoke-config", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", { functionName: "f", ...props });
    assert.deepEqual(config({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 }), []);
    assert.deepEqual(config({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 }), []);
    assert.equal(config({ maximumEventAgeInSeconds: 59 }).length, 1);
    assert.equal(config({ maximumEventAgeInSeconds: 21601 }).length, 1);
    assert.equal(config({ maximumRetryAttempts: -1 }).length, 1);
  });

  it("policy:check --state flags every cross-resource rule's breaking deployment held in a stack export", async () => {
    const { put, tempDir } = await import("../support/tools");
    const work = tempDir();
    try {
      for (const rule of AWS_RULES.filter((r) => r.scope === "deployment")) {
        const resources = BROKEN_DEPLOYMENTS[rule.id]!.map((r) => ({ urn: `urn:pulumi:s::edge-mtls::${r.type}::${r.name}`, type: r.type, id: String(r.outputs?.id ?? ""), inputs: r.inputs, outputs: r.outputs ?? {} }));
        const file = put(work.dir, `${rule.id}.json`, JSON.stringify({ deployment: { resources } }));
        let stdout = "";
        const code = await check(["--state", file, "--json"], { stdout: (s) => (stdout += s), stderr: () => undefined, cwd: process.cwd() });
        assert.equal(code, 1, rule.id);
        assert.ok(JSON.parse(stdout).violations.some((v: { policy: string; message: string }) => v.policy === awsPolicyName(rule) && v.message.includes(rule.sources[0]!.url)), rule.id);
      }
    } finally {
      work.cleanup();
    }
  });

  it("a header identity source the distribution sends (its custom header) passes the cross-resource rule", () => {
    const [authorizer, ...rest] = BROKEN_DEPLOYMENTS["apigateway-authorizer-identity-sent-by-cloudfront"]!;
    const fixed = { ...authorizer!, inputs: { ...authorizer!.inputs, identitySource: "method.request.header.x-origin-verify" } };
    assert.deepEqual(deploymentViolations([fixed, ...rest].map((r) => toAwsResource(r, []))), []);
  });

  it("policy:check --state flags a stack export that breaks AWS's rules", async () => {
    const example = BROKEN["cloudfront-origin-custom-header-name"]!;
    const { put, tempDir } = await import("../support/tools");
    const work = tempDir();
    try {
      const file = put(work.dir, "export.json", JSON.stringify({ deployment: { resources: [{ urn: "urn:pulumi:s::edge-mtls::aws:cloudfront/distribution:Distribution::edge", type: DISTRIBUTION, inputs: example.props, outputs: {} }] } }));
      let stdout = "";
      const code = await check(["--state", file, "--json"], { stdout: (s) => (stdout += s), stderr: () => undefined, cwd: process.cwd() });
      assert.equal(code, 1);
      assert.ok(JSON.parse(stdout).violations.some((v: { policy: string }) => v.policy === "aws-cloudfront-origin-custom-header-name"));
    } finally {
      work.cleanup();
    }
  });
});

describe("offline/aws-rules: both programs as one deployment", function () {
  this.timeout(300_000);
  const longest = (accepts: (env: string) => boolean) => {
    let n = 1;
    while (accepts("e".repeat(n + 1)) && n < 200) n++;
    return "e".repeat(n);
  };
  const caAccepts = (environment: string) => {
    try {
      readCaStackConfig((k) => ({ environment, rootSubject: { commonName: "R" }, issuingSubject: { commonName: "I" } })[k as "environment"], "ca-dev", "eu-west-2");
      return true;
    } catch {
      return false;
    }
  };
  const workloadAccepts = (environment: string) => {
    try {
      readWorkloadStackConfig((k) => ({ environment, caStack: "o/p/s", edgeDomain: "www.example.com", apiDomain: "api.example.com", hostedZoneId: "Z1" })[k as "environment"], "workload-dev", "eu-west-2");
      return true;
    } catch {
      return false;
    }
  };

  /** Every optional feature of both stack files switched on: alarm and notification topics, revokers and inventory readers, certificates from config, a previous origin secret. */
  const EVERYTHING_ON = {
    ca: {
      "edge-mtls:alarmTopicArn": "arn:aws:sns:eu-west-2:111111111111:edge-mtls-alarms",
      "edge-mtls:notificationTopicArn": "arn:aws:sns:eu-west-2:111111111111:edge-mtls-certificates",
      "edge-mtls:revokerPrincipals": JSON.stringify(["arn:aws:iam::333333333333:role/pki-admins"]),
      "edge-mtls:inventoryReaderPrincipals": JSON.stringify(["arn:aws:iam::333333333333:role/pki-auditors"]),
      "edge-mtls:publicHostedZoneId": undefined,
      "edge-mtls:publicCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/pki",
    },
    workload: {
      "edge-mtls:alarmTopicArn": "arn:aws:sns:eu-west-2:222222222222:edge-mtls-alarms",
      "edge-mtls:hostedZoneId": undefined,
      "edge-mtls:edgeCertificateArn": "arn:aws:acm:us-east-1:222222222222:certificate/edge",
      "edge-mtls:apiCertificateArn": "arn:aws:acm:eu-west-2:222222222222:certificate/api",
      "edge-mtls:previousOriginSecret": "offline-previous-origin-secret-0123456789abcdef",
    },
  };
  const VARIANTS: [string, () => Promise<import("../../offline/deployment").OfflineDeployment>][] = [
    ["the committed example configs", () => runExampleDeployment()],
    ["the longest environment name both configs accept", () => {
      const environment = [longest(caAccepts), longest(workloadAccepts)].sort((a, b) => a.length - b.length)[0]!;
      assert.ok(environment.length >= 20, `${environment.length}`);
      return runExampleDeployment({ "edge-mtls:environment": environment });
    }],
    ["the committed configs with every optional feature on", () => runExampleDeployment({}, EVERYTHING_ON)],
    ["every optional feature on and the longest environment name", () => runExampleDeployment({ "edge-mtls:environment": longest(caAccepts).slice(0, longest(workloadAccepts).length) }, EVERYTHING_ON)],
  ];
  const deployments = new Map<string, import("../../offline/deployment").OfflineDeployment>();

  for (const [variant, run] of VARIANTS) {
    it(`${variant}: every AWS rule passes in the mocks, across resources and stacks, and in the pack`, async () => {
      const deployment = await run();
      deployments.set(variant, deployment);
      for (const kind of ["ca", "workload"] as const) {
        const violations = evaluate(toEngineResources(deployment[kind], `${kind}-dev`), POLICIES).filter((v) => v.policy.startsWith("aws-"));
        assert.deepEqual(violations, [], kind);
      }
      if (variant.includes("longest")) {
        const environment = String(deployment.ca.find((r) => r.type === "aws:lambda/function:Function")!.inputs.name).replace(/^edge-mtls-(e+)-.*$/, "$1");
        assert.ok(environment.length >= 20, "the environment names resources");
      }
    });
  }

  it("least privilege in every policy both programs declare, in every variant: no Allow of '*' (IAM) or of a wildcard action; key policies name their actions", () => {
    assert.equal(deployments.size, VARIANTS.length, "the variants ran");
    const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    const documents: { where: string; kind: "iam" | "key" | "bucket"; policy: { Statement: Record<string, unknown>[] } }[] = [];
    for (const [variant, deployment] of deployments) {
      for (const r of [...deployment.ca, ...deployment.workload]) {
        const text = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
        if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/policy:Policy") documents.push({ where: `${variant}: ${r.name}`, kind: "iam", policy: text(r.inputs.policy) });
        if (r.type === "aws:iam/role:Role") for (const inline of (r.inputs.inlinePolicies ?? []) as { policy?: string }[]) if (inline.policy) documents.push({ where: `${variant}: ${r.name} (inline)`, kind: "iam", policy: text(inline.policy) });
        if (r.type === "aws:kms/key:Key" && r.inputs.policy) documents.push({ where: `${variant}: ${r.name}`, kind: "key", policy: text(r.inputs.policy) });
        if (r.type === "aws:s3/bucketPolicy:BucketPolicy") documents.push({ where: `${variant}: ${r.name}`, kind: "bucket", policy: text(r.inputs.policy) });
      }
    }
    assert.ok(documents.filter((d) => d.kind === "iam").length >= 8 && documents.some((d) => d.kind === "key") && documents.some((d) => d.kind === "bucket"), "the policies were found");
    for (const { where, kind, policy } of documents) {
      for (const statement of [policy.Statement].flat()) {
        if (statement.Effect !== "Allow") continue;
        assert.equal(statement.NotAction, undefined, `${where}: Allow with NotAction`);
        assert.equal(statement.NotResource, undefined, `${where}: Allow with NotResource`);
        for (const action of list(statement.Action)) assert.doesNotMatch(action, /[*?]/, `${where}: ${statement.Sid} allows the wildcard action ${action}`);
        const resources = list(statement.Resource);
        // A key policy's Resource "*" is the key itself (AWS KMS Developer Guide, "Key policies"); anywhere else it is everything.
        if (kind !== "key") for (const resource of resources) assert.notEqual(resource, "*", `${where}: ${statement.Sid} allows ${list(statement.Action).join(", ")} on "*"`);
        // Every object of a bucket only to CloudFront reading a site through OAC, for one distribution.
        const oacRead = JSON.stringify(statement.Principal) === JSON.stringify({ Service: "cloudfront.amazonaws.com" }) && list(statement.Action).join() === "s3:GetObject" && typeof (statement.Condition as any)?.StringEquals?.["AWS:SourceArn"] === "string";
        if (kind === "bucket" && !oacRead) for (const resource of resources) assert.doesNotMatch(resource, /\/\*$/, `${where}: ${statement.Sid} allows every object (/*)`);
      }
    }
  });

  it("covers every AWS resource type the two programs declare, in every variant: with a rule, or with the reason none applies", async () => {
    assert.equal(deployments.size, VARIANTS.length, "the variants ran");
    const types = new Set([...deployments.values()].flatMap((d) => [...d.ca, ...d.workload]).map((r) => r.type).filter((t) => t.startsWith("aws:")));
    for (const optional of ["aws:cloudwatch/eventTarget:EventTarget", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "aws:cloudwatch/eventRule:EventRule"]) assert.ok(types.has(optional), optional);
    const ruled = new Set(AWS_RULES.flatMap((r) => (r.scope === "resource" ? r.resourceTypes : [])));
    const uncovered = [...types].filter((t) => !ruled.has(t) && !(t in NO_CONTROL_PLANE_LIMIT_RELIED_ON));
    assert.deepEqual(uncovered, []);
    // And no reason is kept for a type the programs no longer declare.
    assert.deepEqual(Object.keys(NO_CONTROL_PLANE_LIMIT_RELIED_ON).filter((t) => !types.has(t)), []);
  });

  it("leaves nothing running after a deployment (no timers keep polling once both runs are done)", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await runExampleDeployment(); // whatever the Pulumi runtime keeps once it has run
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = timers();
    await runExampleDeployment();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(timers() <= before, `${timers()} timers after a deployment, ${before} before`);
  });

  it("refuses a workload stack that reads another CA stack than the one deployed (stack files that do not pair)", async () => {
    await assert.rejects(runExampleDeployment({}, { workload: { "edge-mtls:caStack": "ca-other" } }), (error: unknown) => error instanceof OfflineDeploymentFailed && /workload-dev reads the CA stack organization\/edge-mtls\/ca-other, not organization\/edge-mtls\/ca-dev/.test(error.message));
  });

  it("refuses to run a stack file under the other program (edge-mtls:role)", async () => {
    await assert.rejects(runExampleDeployment({ "edge-mtls:role": "workload" }), (error: unknown) => error instanceof OfflineDeploymentFailed && /ca-dev's config sets edge-mtls:role workload, not ca/.test(error.message));
  });

  it("the smoke test's command finds the edge-mtls binary by name, from the project, at run time", () => {
    const result = tool("npx", ["--no", "--", "edge-mtls", "--help"], { timeoutMs: 60_000 });
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /Usage: edge-mtls <command>/);
  });

  it("fails, as pulumi up would, when the CA's configured name policy would replace the defaults and refuse the workload's certificates", async () => {
    // The first build's blocker: a client_auth policy without the smoke-test name. Policies now extend the
    // defaults, so only an explicit refusal (a workload certificate name outside every list) can fail here.
    const overrides = { "edge-mtls:originCertificate": JSON.stringify({ commonName: "Unlisted Origin", organizationalUnit: "Unlisted", lifetimeDays: 90, renewBeforeDays: 30 }), "edge-mtls:allowedOriginSubjects": JSON.stringify([{ commonName: "Unlisted Origin", organizationalUnit: "Unlisted" }]) };
    await assert.rejects(runExampleDeployment(overrides), (error: unknown) => error instanceof OfflineDeploymentFailed && /NAME_NOT_ALLOWED|not allowed/i.test(error.message));
  });

  it("fails with the AWS error and source when the program declares what AWS refuses (a policy quota of 4 headers against the /api* policy's 5)", async () => {
    assumeRaisedQuotas({ "cloudfront-origin-request-policy-headers": 4 });
    try {
      await assert.rejects(runExampleDeployment(), (error: unknown) => error instanceof OfflineDeploymentFailed && /TooManyHeadersInOriginRequestPolicy: OriginRequestPolicy edge-api-origin-request lists 5 headers/.test(error.message) && error.message.includes("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"));
    } finally {
      assumeRaisedQuotas({});
    }
  });

  it("the config readers refuse a log retention CloudWatch Logs refuses, before any resource is declared", () => {
    assert.throws(() => readCaStackConfig((k) => ({ logRetentionDays: 2, rootSubject: { commonName: "R" }, issuingSubject: { commonName: "I" } })[k as "logRetentionDays"], "ca-dev", "eu-west-2"), /edge-mtls:logRetentionDays must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5/);
    assert.throws(() => readWorkloadStackConfig((k) => ({ logRetentionDays: "2", caStack: "o/p/s", edgeDomain: "www.example.com", apiDomain: "api.example.com", hostedZoneId: "Z1" })[k as "logRetentionDays"], "workload-dev", "eu-west-2"), /edge-mtls:logRetentionDays must be one of/);
  });

  it("the config readers refuse a schedule expression EventBridge Scheduler refuses, saying why, and accept what it accepts", () => {
    const ca = (crlSchedule: string) => readCaStackConfig((k) => ({ crlSchedule, rootSubject: { commonName: "R" }, issuingSubject: { commonName: "I" } })[k as "crlSchedule"], "ca-dev", "eu-west-2");
    const workload = (renewalSchedule: string) => readWorkloadStackConfig((k) => ({ originCertificate: { renewalSchedule }, caStack: "o/p/s", edgeDomain: "www.example.com", apiDomain: "api.example.com", hostedZoneId: "Z1" })[k as "caStack"], "workload-dev", "eu-west-2");
    assert.throws(() => ca("rate(5 hour)"), /edge-mtls:crlSchedule must be an EventBridge Scheduler rate\(\.\.\.\) or cron\(\.\.\.\) expression.*which must say hours, not hour, for a value above 1/);
    assert.throws(() => ca("rate(0 minutes)"), /which has a rate of 0/);
    assert.throws(() => workload("rate(1 hours)"), /renewalSchedule must be an EventBridge Scheduler .*which must say hour, not hours, for a value of 1/);
    assert.throws(() => workload("cron(0 12 * * ?)"), /without the six fields/);
    for (const good of ["rate(1 hour)", "rate(12 hours)", "rate(1 day)", "cron(0 12 * * ? *)"]) {
      assert.equal(ca(good).ca.crlSchedule, good);
      assert.equal(workload(good).originCertificate.renewalSchedule, good);
    }
  });
});

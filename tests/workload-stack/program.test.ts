import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapResult } from "../../functions/ca-admin";
import { accessLogFormat, ACCESS_LOG_FIELDS, MANAGED_POLICIES } from "../../components/edge-rules";
import { deriveIdempotencyKey } from "../../components/idempotency-key";
import { handle as backend } from "../../functions/api-backend";
import { BACKEND_VIEWER_CERT_HEADERS } from "../../functions/shared/contract";
import { REFUSED_CUSTOM_HEADERS } from "../../offline/aws-rules";
import { trustBundleDigest } from "../../pki/origin-client-certificate";
import { DEFAULT_SECRET_HEADER_NAME, qualifyStackName, readWorkloadStackConfig } from "../../workload-stack/config";
import { named, ofType, recorded } from "../support/pulumi-mocks";
import { runWorkload, SECRET, testCa } from "../support/workload-program";
import { put, tempDir, tool } from "../support/tools";

const EDGE_CERT = "arn:aws:acm:us-east-1:111111111111:certificate/edge";
const API_CERT = "arn:aws:acm:eu-west-2:111111111111:certificate/api";

describe("workload-stack: configuration", () => {
  const base: Record<string, unknown> = { caStack: "acme/edge-mtls/ca-dev", edgeDomain: "www.example.com", apiDomain: "api.example.com", edgeCertificateArn: EDGE_CERT, apiCertificateArn: API_CERT };
  const read = (values: Record<string, unknown>) => readWorkloadStackConfig((key) => values[key], "workload-dev", "eu-west-2");

  it("reads a minimal config: origin certificate CloudFront/CloudFront, 90 days, renewed 30 days before; verification on outside prod", () => {
    const config = read(base);
    assert.equal(config.verifyAfterDeploy, true);
    assert.equal(read({ ...base, environment: "prod" }).verifyAfterDeploy, false);
    assert.equal(read({ ...base, environment: "prod", verifyAfterDeploy: true }).verifyAfterDeploy, true);
    assert.equal(config.environment, "dev");
    assert.deepEqual(config.originCertificate, { commonName: "CloudFront", organizationalUnit: "CloudFront", lifetimeDays: 90, renewBeforeDays: 30, keyAlgorithm: "ECDSA", alarmBelowDays: 15, renewalSchedule: "rate(12 hours)", checkAfterRenewal: true });
    assert.equal(read({ ...base, environment: "prod" }).originCertificate.checkAfterRenewal, false, "checks after renewal follow verifyAfterDeploy");
    assert.equal(read({ ...base, environment: "prod", originCertificate: { checkAfterRenewal: true } }).originCertificate.checkAfterRenewal, true);
    assert.deepEqual(config.allowedOriginSubjects, [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }]);
  });

  it("names the key and the reason for every bad value", () => {
    assert.throws(() => read({ ...base, caStack: "acme/ca-dev" }), /edge-mtls:caStack must be a stack name \(ca-dev\) or a fully qualified one <org>\/<project>\/<stack>; got acme\/ca-dev/);
    assert.throws(() => read({ ...base, edgeCertificateArn: undefined }), /edge-mtls:hostedZoneId is not set: give a Route 53 zone/);
    assert.throws(() => read({ ...base, edgeCertificateArn: API_CERT }), /edgeCertificateArn must be an ACM certificate in us-east-1/);
    assert.throws(() => read({ ...base, edgeDomain: "not a host" }), /edge-mtls:edgeDomain must be a DNS host name/);
    assert.throws(() => read({ ...base, originCertificate: { keyAlgorithm: "ECDSA_P384" } }), /keyAlgorithm must be ECDSA \(P-256\) or RSA \(2048\)/);
    assert.throws(() => read({ ...base, originCertificate: { lifetimeDays: 30, renewBeforeDays: 30 } }), /renewBeforeDays must be at least 1 and less than lifetimeDays/);
    assert.throws(() => read({ ...base, allowedOriginSubjects: [{ commonName: "Other", organizationalUnit: "Other" }] }), /the authorizer would refuse every request from CloudFront/);
    assert.throws(() => read({ ...base, originCertificate: { alarmBelowDays: 31 } }), /alarmBelowDays must be a whole number from 1 to renewBeforeDays \(30\)/);
    assert.throws(() => read({ ...base, originCertificate: { renewalSchedule: "every day" } }), /renewalSchedule must be an EventBridge Scheduler rate\(\.\.\.\) or cron\(\.\.\.\) expression/);
    assert.throws(() => read({ ...base, originCertificate: { renewalSchedule: "rate(0 minutes)" } }), /renewalSchedule must be an EventBridge Scheduler .* which has a rate of 0; the value must be a positive whole number/);
    for (const slow of ["rate(2 days)", "rate(25 hours)"]) assert.throws(() => read({ ...base, originCertificate: { renewalSchedule: slow } }), /renewalSchedule must run the renewer at least once a day \(its expiry alarm treats a day without its metric as a renewer that stopped\)/, slow);
    for (const fine of ["rate(1 day)", "rate(24 hours)", "rate(6 hours)", "cron(0 3 * * ? *)"]) assert.equal(read({ ...base, originCertificate: { renewalSchedule: fine } }).originCertificate.renewalSchedule, fine);
    assert.throws(() => read({ ...base, originCertificate: { checkAfterRenewal: "yes" } }), /checkAfterRenewal must be true or false/);
    assert.throws(() => read({ ...base, alarmTopicArn: "alarms" }), /edge-mtls:alarmTopicArn must be an SNS topic ARN/);
  });

  it("defaults the secret header to X-Origin-Verify and refuses every name CloudFront refuses as a custom origin header, saying why", () => {
    assert.equal(read(base).secretHeaderName, "X-Origin-Verify");
    assert.equal(DEFAULT_SECRET_HEADER_NAME, "X-Origin-Verify");
    assert.throws(() => read({ ...base, secretHeaderName: "X-Edge-Mtls-Origin" }), /edge-mtls:secretHeaderName cannot be X-Edge-Mtls-Origin: CloudFront reserves the X-Edge- prefix/);
    assert.throws(() => read({ ...base, secretHeaderName: "X-Amz-Origin-Secret" }), /CloudFront reserves the X-Amz- prefix/);
    for (const name of REFUSED_CUSTOM_HEADERS.filter((h) => h.startsWith("X-"))) assert.throws(() => read({ ...base, secretHeaderName: name }), /does not let .* be set as a custom origin header/, name);
    assert.equal(read({ ...base, secretHeaderName: "X-My-Origin-Proof" }).secretHeaderName, "X-My-Origin-Proof");
  });
});

describe("workload-stack: the program under mocks", function () {
  this.timeout(120_000);
  const work = tempDir();
  let bootstrap: BootstrapResult;
  let outputs: Record<string, unknown>;
  before(async () => {
    const ca = await testCa();
    bootstrap = ca.bootstrap;
    ({ outputs } = await runWorkload(ca, { "edge-mtls:edgeCertificateArn": EDGE_CERT, "edge-mtls:apiCertificateArn": API_CERT }));
  });
  after(() => work.cleanup());

  const distribution = () => named("edge-distribution").inputs;
  const usEast1 = (resource: { provider?: string }) => (resource.provider ?? "").includes("workload-us-east-1");

  it("puts exactly the CA bundle in the trust store bucket and builds the CloudFront trust store from that object version, in us-east-1", () => {
    assert.equal(named("trust-bundle").inputs.content, bootstrap.trustBundlePem);
    const store = named("trust-cloudfront");
    assert.ok(usEast1(store), "the trust store is on the us-east-1 provider");
    assert.deepEqual(store.inputs.caCertificatesBundleSource.caCertificatesBundleS3Location, { bucket: "trust-bucket-bucket", key: "ca-bundle.pem", region: "eu-west-2", version: "trust-bundle-version-1" });
  });

  it("gives the API custom domain mutual TLS with that bundle's S3 URI and version, TLS 1.2, regional", () => {
    const domain = named("api-domain").inputs;
    assert.deepEqual(domain.mutualTlsAuthentication, { truststoreUri: "s3://trust-bucket-bucket/ca-bundle.pem", truststoreVersion: "trust-bundle-version-1" });
    assert.equal(domain.securityPolicy, "TLS_1_2");
    assert.deepEqual(domain.endpointConfiguration, { types: "REGIONAL" });
    assert.equal(domain.regionalCertificateArn, API_CERT);
  });

  it("disables the execute-api endpoint and guards every method with the REQUEST authorizer, uncached", () => {
    assert.equal(named("api-rest").inputs.disableExecuteApiEndpoint, true);
    const authorizer = named("api-request-authorizer").inputs;
    assert.deepEqual([authorizer.type, authorizer.authorizerResultTtlInSeconds], ["REQUEST", 0]);
    const methods = ofType("aws:apigateway/method:Method");
    assert.deepEqual(methods.map((m) => [m.inputs.httpMethod, m.inputs.authorization]), [["POST", "CUSTOM"], ["ANY", "CUSTOM"]]);
    const fn = recorded.find((r) => r.type === "aws:lambda/function:Function" && r.inputs.name === "edge-mtls-dev-api-authorizer")!.inputs.environment.variables;
    assert.deepEqual(JSON.parse(fn.ALLOWED_SUBJECTS), [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }]);
    assert.equal(fn.ORIGIN_SECRET_HEADER, "X-Origin-Verify");
    assert.deepEqual(JSON.parse(fn.ORIGIN_SECRET_VALUES), [SECRET]);
    assert.equal(fn.ISSUING_CA_PEM, bootstrap.issuingCaCertPem);
    assert.equal(fn.CRL_BUCKET, "edge-mtls-ca-artifacts");
  });

  it("writes JSON access logs with every field of the how-to's log", () => {
    const format = JSON.parse(named("api-stage").inputs.accessLogSettings.format);
    for (const field of ["certIssuerDN", "certNotAfter", "certNotBefore", "certPEM", "certSerialNumber", "certSubjectDN", "httpMethod", "ip", "protocol", "requestId", "requestTime", "status", "errorMessage", "errorResponseType", "extendedRequestId", "integrationError", "integrationStatus", "routeKey"]) {
      assert.ok(field in format, `access log lacks ${field}`);
    }
    assert.equal(format.certPEM, "$context.identity.clientCert.clientCertPem");
    assert.equal(accessLogFormat(), JSON.stringify(ACCESS_LOG_FIELDS));
  });

  it("issues the origin client certificate through the CA's ca-issuer and imports it into ACM in us-east-1 (body = leaf, chain = issuing + root)", async () => {
    const acm = named("origin-client-acm");
    assert.ok(usEast1(acm));
    const invocation = named("origin-client-issue").inputs;
    assert.equal(invocation.functionName, "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer");
    const request = JSON.parse(invocation.input);
    assert.deepEqual([request.purposes, request.lifetimeDays], [["client_auth"], 90]);
    // Unguessable: an HMAC under the certificate's own private key; and kept secret in previews and state.
    const privateKeyPem = named("origin-client-key").outputs!.privateKeyPem;
    // (The stack is whichever the shared mocks were installed with first.)
    const stack = pulumi.getStack();
    // Its period is the CA trust bundle's digest: another bundle, another certificate.
    const period = `b${trustBundleDigest(bootstrap.trustBundlePem).slice(0, 16)}`;
    assert.equal(request.idempotencyKey, deriveIdempotencyKey(privateKeyPem, { project: "edge-mtls", stack, component: "origin-client", period }));
    assert.match(request.idempotencyKey, new RegExp(`^${stack}\\.origin-client\\.b[0-9a-f]{16}\\.[A-Za-z0-9_-]{43}$`));
    assert.equal(named("origin-client-issue").maskedInputs!.input, "[secret]");
    assert.equal(acm.inputs.certificateChain, bootstrap.issuingCaCertPem + bootstrap.rootCaCertPem);
    const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", put(work.dir, "bundle.pem", bootstrap.trustBundlePem), put(work.dir, "origin.pem", acm.inputs.certificateBody)]);
    assert.equal(verify.status, 0, verify.output);
    const subject = tool("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253"], { input: acm.inputs.certificateBody }).stdout;
    assert.match(subject, /OU=CloudFront,CN=CloudFront/);
    assert.match(tool("openssl", ["x509", "-noout", "-text"], { input: acm.inputs.certificateBody }).stdout, /ASN1 OID: prime256v1/);
    assert.match(acm.inputs.privateKey, /BEGIN EC PRIVATE KEY/);
    assert.match(String(outputs.originClientCertificateArn), /^arn:aws:acm:us-east-1:/);
  });

  it("CloudFront: viewer mTLS required with the trust store, connection function, TLS 1.2+, HTTP/3 off, no plain HTTP", () => {
    const d = distribution();
    assert.deepEqual(d.viewerMtlsConfig, { mode: "required", trustStoreConfig: { trustStoreId: "trust-cloudfront_id", advertiseTrustStoreCaNames: true, ignoreCertificateExpiry: false } });
    assert.deepEqual(d.connectionFunctionAssociation, { id: "viewer-revocation-connection-function_id" });
    assert.equal(d.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
    assert.equal(d.viewerCertificate.acmCertificateArn, EDGE_CERT);
    assert.equal(d.httpVersion, "http2");
    for (const behaviour of [d.defaultCacheBehavior, ...d.orderedCacheBehaviors]) assert.ok(["https-only", "redirect-to-https"].includes(behaviour.viewerProtocolPolicy));
    const fn = named("viewer-revocation-connection-function");
    assert.ok(usEast1(fn));
    assert.equal(fn.inputs.connectionFunctionConfig.runtime, "cloudfront-js-2.0");
    assert.match(fn.inputs.connectionFunctionCode, /async function connectionHandler\(connection\)/);
  });

  it("the API origin uses origin mTLS with the imported certificate and the secret header, https-only TLS 1.2", async () => {
    const api = distribution().origins.find((o: { originId: string }) => o.originId === "api");
    assert.equal(api.domainName, "api.example.com");
    assert.deepEqual(api.customOriginConfig, { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/origin-client-acm-id" } });
    assert.deepEqual(api.customHeaders, [{ name: "X-Origin-Verify", value: SECRET }]);
  });

  it("the authorizer's identity source is the secret header CloudFront always sends, not the provider's default Authorization", () => {
    assert.equal(named("api-request-authorizer").inputs.identitySource, "method.request.header.X-Origin-Verify");
    const sent = distribution().origins.find((o: { originId: string }) => o.originId === "api").customHeaders.map((h: { name: string }) => h.name);
    assert.ok(sent.includes("X-Origin-Verify"));
  });

  it("/api* is uncached, allows POST, forwards the viewer-certificate headers and not Host", () => {
    const [apiBehaviour] = distribution().orderedCacheBehaviors;
    assert.equal(apiBehaviour.pathPattern, "/api*");
    assert.equal(apiBehaviour.targetOriginId, "api");
    assert.equal(apiBehaviour.cachePolicyId, MANAGED_POLICIES.cachingDisabled);
    assert.ok(apiBehaviour.allowedMethods.includes("POST"));
    const policy = named("edge-api-origin-request").inputs.headersConfig;
    assert.equal(policy.headerBehavior, "whitelist");
    // Exactly what the backend reads, plus Content-Type: within CloudFront's quota of 10.
    assert.deepEqual([...policy.headers.items].sort(), ["Content-Type", ...Object.values(BACKEND_VIEWER_CERT_HEADERS)].sort());
    assert.ok(policy.headers.items.length <= 10);
    assert.ok(!policy.headers.items.map((h: string) => h.toLowerCase()).includes("host"));
  });

  it("the backend reads no viewer-certificate header the policy does not forward", async () => {
    const forwarded = named("edge-api-origin-request").inputs.headersConfig.headers.items as string[];
    const all = ["Present", "Serial-Number", "Subject", "Issuer", "Validity", "Sha256", "Pem"].map((h) => `CloudFront-Viewer-Cert-${h}`);
    const headers = Object.fromEntries(all.map((h) => [h, h === "CloudFront-Viewer-Cert-Present" ? "1" : `value-of-${h}`]));
    const response = await backend({ httpMethod: "POST", body: "{}", isBase64Encoded: false, headers, requestContext: { requestId: "r" } } as never, { clock: () => new Date(0) });
    const echoed = JSON.stringify(JSON.parse(response.body).viewer);
    for (const header of all.filter((h) => !forwarded.includes(h))) assert.ok(!echoed.includes(`value-of-${header}`), `${header} is read but not forwarded`);
    for (const header of forwarded.filter((h) => h.startsWith("CloudFront-Viewer-Cert-") && h !== "CloudFront-Viewer-Cert-Present")) assert.ok(echoed.includes(`value-of-${header}`), `${header} is forwarded but not read`);
  });

  it("the S3 origin is reached only through its OAC, and its bucket policy names this distribution", () => {
    const s3 = distribution().origins.find((o: { originId: string }) => o.originId === "s3-site");
    assert.equal(s3.originAccessControlId, "site-oac_id");
    assert.deepEqual(named("site-oac").inputs.signingBehavior, "always");
    assert.deepEqual(named("site-oac").inputs.signingProtocol, "sigv4");
    assert.equal(distribution().defaultCacheBehavior.cachePolicyId, MANAGED_POLICIES.cachingOptimized);
    const policy = JSON.parse(named("site-policy").inputs.policy);
    const read = policy.Statement.find((s: { Sid: string }) => s.Sid === "CloudFrontReadsThroughOac");
    assert.deepEqual(read.Condition, { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::111111111111:distribution/edge-distribution-id" } });
    assert.deepEqual(read.Principal, { Service: "cloudfront.amazonaws.com" });
    assert.equal(read.Action, "s3:GetObject");
  });

  it("runs edge-mtls verify after the deployment with a 1-day CA certificate, re-run by what can change the answer, nothing secret on its command line", async () => {
    const verify = named("smoke-test-verify").inputs;
    assert.equal(verify.create, "npx --no -- edge-mtls verify --edge https://www.example.com --api https://api.example.com");
    assert.ok(!verify.create.includes(process.cwd()) && !verify.create.includes("/"+"work"), "no checkout path in the command's input");
    assert.doesNotMatch(verify.create, /PRIVATE KEY|BEGIN|origin-secret/);
    assert.match(verify.environment.EDGE_MTLS_VERIFY_KEY_PEM, /BEGIN EC PRIVATE KEY/);
    assert.match(verify.environment.EDGE_MTLS_VERIFY_CERT_PEM, /^-----BEGIN CERTIFICATE-----[\s\S]*-----BEGIN CERTIFICATE-----[\s\S]*-----BEGIN CERTIFICATE-----/);
    assert.deepEqual(verify.triggers, ["E2QWRUHEXAMPLE", "arn:aws:acm:us-east-1:111111111111:certificate/origin-client-acm-id", "trust-bundle-version-1", (await import("../../components/lambda-bundle")).bundleFunction("api-authorizer").sha256]);
    const request = JSON.parse(named("smoke-test-issue").inputs.input);
    assert.equal(request.lifetimeDays, 1);
    const day = `d${Math.floor(Date.now() / 86400_000)}`;
    assert.equal(request.idempotencyKey, deriveIdempotencyKey(named("smoke-test-key").outputs!.privateKeyPem, { project: "edge-mtls", stack: pulumi.getStack(), component: "smoke-test", period: day }));
    assert.equal(named("smoke-test-issue").maskedInputs!.input, "[secret]");
    const leaf = verify.environment.EDGE_MTLS_VERIFY_CERT_PEM.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n";
    const dates = tool("openssl", ["x509", "-noout", "-startdate", "-enddate"], { input: leaf }).stdout;
    const [start, end] = [...dates.matchAll(/=(.*)/g)].map((m) => new Date(m[1]!).getTime());
    assert.equal(end! - start!, 86400_000 + 300_000, "one day, plus the 5-minute backdating");
  });

  it("revocation-sync may read only the CA's CRL and write only its key value store", () => {
    const policy = JSON.parse(named("viewer-revocation-sync-policy").inputs.policy);
    const byId = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    assert.deepEqual([byId.ReadCaCrl.Action, byId.ReadCaCrl.Resource], [["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::edge-mtls-ca-artifacts/issuing-ca.crl"]);
    assert.deepEqual(byId.SyncRevokedSerials.Action, ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:GetKey", "cloudfront-keyvaluestore:ListKeys", "cloudfront-keyvaluestore:UpdateKeys"]);
    assert.equal(byId.SyncRevokedSerials.Resource, "arn:aws:cloudfront::111111111111:key-value-store/viewer-revocation-store-id");
    assert.equal(Object.keys(byId).length, 3, "its own logs, the CRL, the store: nothing else");
    assert.ok(usEast1(named("viewer-revocation-store")));
  });

  it("alarms before the revoked-serial store overflows, on the size revocation-sync reports, and gives the sync time to finish", () => {
    const alarm = named("viewer-revocation-store-size").inputs;
    const sync = named("viewer-revocation-sync").inputs;
    assert.deepEqual([alarm.namespace, alarm.metricName, alarm.statistic, alarm.threshold, alarm.comparisonOperator], [sync.environment.variables.METRIC_NAMESPACE, "RevokedSerialStoreBytes", "Maximum", 4_500_000, "GreaterThanOrEqualToThreshold"]);
    assert.match(alarm.namespace, /^edge-mtls\/edge\/\w/);
    assert.ok(Number(sync.environment.variables.BUDGET_SECONDS) <= sync.timeout - 60, "a run stops writing a minute before its timeout");
  });
});

describe("workload-stack: with a Route 53 zone", function () {
  this.timeout(120_000);
  before(async () => {
    await runWorkload(await testCa(), { "edge-mtls:hostedZoneId": "Z0123456789ABCDEFGHIJ" });
  });

  it("creates DNS-validated certificates (CloudFront's in us-east-1, the API's regional) and alias records to the distribution and the API domain", () => {
    const edge = named("edge-certificate");
    const api = named("api-certificate");
    assert.deepEqual([edge.inputs.domainName, edge.inputs.validationMethod, (edge.provider ?? "").includes("us-east-1")], ["www.example.com", "DNS", true]);
    assert.deepEqual([api.inputs.domainName, (api.provider ?? "").includes("us-east-1")], ["api.example.com", false]);
    assert.equal(named("edge-certificate-validation-0").inputs.name, "_x1.www.example.com.");
    assert.equal(named("edge-distribution").inputs.viewerCertificate.acmCertificateArn, "arn:aws:acm:us-east-1:111111111111:certificate/edge-certificate-id");
    assert.equal(named("api-domain").inputs.regionalCertificateArn, "arn:aws:acm:eu-west-2:111111111111:certificate/api-certificate-id");
    assert.deepEqual(named("edge-alias").inputs.aliases, [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]);
    assert.equal(named("api-alias").inputs.aliases[0].name, "d-api-domain.execute-api.eu-west-2.amazonaws.com");
  });
});

describe("workload-stack: which CA stack it reads", function () {
  this.timeout(120_000);
  const read = (values: Record<string, unknown>) => readWorkloadStackConfig((key) => values[key], "workload-qa", "eu-west-2");
  const minimal = { edgeDomain: "www.example.com", apiDomain: "api.example.com", edgeCertificateArn: EDGE_CERT, apiCertificateArn: API_CERT };

  it("defaults to ca-<environment>, qualified with this stack's organization and project; a fully qualified name is kept", () => {
    assert.equal(read(minimal).caStack, "ca-qa");
    assert.equal(read({ ...minimal, environment: "staging" }).caStack, "ca-staging");
    const scope = () => ({ organization: "platform", project: "edge-mtls" });
    assert.equal(qualifyStackName("ca-qa", scope), "platform/edge-mtls/ca-qa");
    assert.equal(qualifyStackName("acme/edge-mtls/ca-dev", () => assert.fail("a qualified name needs no scope")), "acme/edge-mtls/ca-dev");
  });

  it("reads the CA stack handed over in memory (the Automation API), over the stack file's edge-mtls:caStack", async () => {
    const ca = await testCa();
    const certificates = { "edge-mtls:edgeCertificateArn": EDGE_CERT, "edge-mtls:apiCertificateArn": API_CERT };
    await runWorkload(ca, certificates, { caStack: "ca-qa" });
    assert.deepEqual(ofType("pulumi:pulumi:StackReference").map((r) => r.name), ["organization/edge-mtls/ca-qa"]);
    await runWorkload(ca, certificates);
    assert.deepEqual(ofType("pulumi:pulumi:StackReference").map((r) => r.name), ["acme/edge-mtls/ca-dev"], "without a hand-over, the config's name");
  });
});

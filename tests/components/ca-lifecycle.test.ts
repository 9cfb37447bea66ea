import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { evaluate } from "../../policies/evaluate";
import { POLICIES, toPolicyResource } from "../../policies/policies";
import { publicPkiBucket } from "../../policies/rules/public-pki-bucket";
import { toEngineResources } from "../../policies/program-run";
import { ACCOUNT_ID, installMocks, named, ofType, promiseOf, recorded, REGION, resetRecorded, settle } from "../support/pulumi-mocks";
import { put, tempDir, tool } from "../support/tools";

type Ca = import("../../components/serverless-ca").ServerlessCa;
const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]) as string[];
const TOPIC = "arn:aws:sns:eu-west-2:111111111111:certificates";
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/life-ca-inventory`;

describe("components: ServerlessCa lifecycle — inventory, reminders, public PKI endpoint (under Pulumi mocks)", function () {
  this.timeout(120_000);
  const work = tempDir();
  let ca: Ca;

  before(async () => {
    installMocks({});
    resetRecorded();
    const { ServerlessCa } = await import("../../components/serverless-ca");
    const usEast1 = new aws.Provider("life-us-east-1", { region: "us-east-1" });
    ca = new ServerlessCa("life-ca", {
      environment: "life",
      rootSubject: { commonName: "Life Root CA" },
      issuingSubject: { commonName: "Life Issuing CA" },
      notificationTopicArn: TOPIC,
      reminderWindowsDays: [21, 3],
      inventoryReaderPrincipals: ["arn:aws:iam::333333333333:role/pki-auditors"],
      publicEndpoint: { domainName: "pki.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", usEast1 },
    });
    new ServerlessCa("quiet-ca", { environment: "quiet", rootSubject: { commonName: "Quiet Root CA" }, issuingSubject: { commonName: "Quiet Issuing CA" } });
    await promiseOf(ca.trustBundlePem);
    await settle();
  });
  after(work.cleanup);

  const policyOf = (name: string) => JSON.parse(named(name).inputs.policy) as { Statement: { Sid: string; Effect: string; Action: unknown; Resource: unknown; Condition?: unknown }[] };
  const shape = (name: string) => policyOf(name).Statement.filter((s) => s.Sid !== "WriteOwnLogs").map((s) => [s.Sid, asList(s.Action), asList(s.Resource), s.Condition]);

  it("ca-inventory may only query the expiry and revoked indexes and get the two CA records; the named reader roles may invoke it", async () => {
    const fn = named("life-ca-ca-inventory").inputs;
    assert.equal(fn.name, "edge-mtls-life-ca-inventory");
    assert.deepEqual(fn.environment.variables, { CA_TABLE: "life-ca-inventory" });
    assert.deepEqual(shape("life-ca-ca-inventory-policy"), [
      ["QueryInventoryIndexes", ["dynamodb:Query"], [`${TABLE}/index/expiry`, `${TABLE}/index/revoked`], undefined],
      ["ReadCaRecords", ["dynamodb:GetItem"], [TABLE], { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["CA#root", "CA#issuing"] } }],
    ]);
    const permission = named("life-ca-inventory-invoke-0").inputs;
    assert.deepEqual([permission.action, permission.function, permission.principal], ["lambda:InvokeFunction", "edge-mtls-life-ca-inventory", "arn:aws:iam::333333333333:role/pki-auditors"]);
    assert.match(await promiseOf(ca.inventoryFunctionArn), /:function:edge-mtls-life-ca-inventory$/);
  });

  it("ca-reminders runs daily, may write only REMINDER# items, query the expiry and series indexes and publish to the one topic", () => {
    const fn = named("life-ca-ca-reminders").inputs;
    assert.equal(fn.name, "edge-mtls-life-ca-reminders");
    assert.deepEqual(fn.environment.variables, { CA_TABLE: "life-ca-inventory", NOTIFICATION_TOPIC_ARN: TOPIC, REMINDER_WINDOWS_DAYS: "[21,3]", CA_ENVIRONMENT: "life" });
    assert.deepEqual(shape("life-ca-ca-reminders-policy"), [
      ["QueryExpiryIndexes", ["dynamodb:Query"], [`${TABLE}/index/expiry`, `${TABLE}/index/series`], undefined],
      ["RecordReminders", ["dynamodb:PutItem", "dynamodb:UpdateItem"], [TABLE], { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["REMINDER#*"] } }],
      ["PublishReminders", ["sns:Publish"], [TOPIC], undefined],
    ]);
    const schedule = named("life-ca-expiry-reminders-schedule").inputs;
    assert.equal(schedule.scheduleExpression, "rate(1 day)");
    assert.match(schedule.target.arn, /function:edge-mtls-life-ca-reminders$/);
    assert.ok(named("life-ca-ca-reminders-errors"));
    for (const f of ofType("aws:lambda/function:Function")) assert.ok(f.inputs.name.length <= 64, `${f.inputs.name}: Lambda function names are at most 64 characters`);
  });

  it("without a notification or alarm topic there are no reminders to send, and no function for them", () => {
    const functions = ofType("aws:lambda/function:Function").map((f) => f.inputs.name as string);
    assert.ok(functions.includes("edge-mtls-quiet-ca-inventory"));
    assert.ok(!functions.includes("edge-mtls-quiet-ca-reminders"));
  });

  it("the public endpoint: CloudFront with OAC in front of the CA bucket, plain HTTP only for *.crl and *.crt, GET/HEAD, cached at most an hour, tagged public-pki", () => {
    const distribution = named("life-ca-public-distribution").inputs;
    assert.deepEqual(distribution.aliases, ["pki.example.com"]);
    assert.deepEqual(distribution.tags, { "edge-mtls:purpose": "public-pki" });
    assert.deepEqual(distribution.origins, [{ originId: "ca-bucket", domainName: "life-ca-artifacts-bucket.s3.eu-west-2.amazonaws.com", originAccessControlId: "life-ca-public-oac_id", s3OriginConfig: { originAccessIdentity: "" } }]);
    const behaviours = [distribution.defaultCacheBehavior, ...distribution.orderedCacheBehaviors];
    assert.deepEqual(behaviours.map((b: { pathPattern?: string; viewerProtocolPolicy: string }) => [b.pathPattern ?? "default", b.viewerProtocolPolicy]), [["default", "redirect-to-https"], ["*.crl", "allow-all"], ["*.crt", "allow-all"]]);
    for (const b of behaviours) assert.deepEqual(b.allowedMethods, ["GET", "HEAD"]);
    assert.deepEqual(distribution.viewerCertificate, { acmCertificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/life-ca-public-certificate-id", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    const oac = named("life-ca-public-oac").inputs;
    assert.deepEqual([oac.name, oac.originAccessControlOriginType, oac.signingBehavior, oac.signingProtocol], ["edge-mtls-life-ca-public", "s3", "always", "sigv4"]);
    const cache = named("life-ca-public-cache").inputs;
    assert.deepEqual([cache.minTtl, cache.defaultTtl, cache.maxTtl], [0, 300, 3600]);
    assert.ok((named("life-ca-public-certificate").provider ?? "").includes("life-us-east-1"), "its certificate is in us-east-1");
    assert.equal(named("life-ca-public-certificate").inputs.validationMethod, "DNS");
    assert.deepEqual(["A", "AAAA"].map((t) => named(`life-ca-public-alias-${t.toLowerCase()}`).inputs.type), ["A", "AAAA"]);
  });

  it("the CA bucket lets exactly that distribution read exactly the published artifacts", () => {
    const policy = policyOf("life-ca-artifacts-policy");
    const read = policy.Statement.find((s) => s.Sid === "PublicPkiEndpointReads")!;
    assert.deepEqual((read as unknown as { Principal: unknown }).Principal, { Service: "cloudfront.amazonaws.com" });
    assert.deepEqual(asList(read.Action), ["s3:GetObject"]);
    assert.deepEqual(asList(read.Resource).map((r) => r.split("/").pop()).sort(), ["ca-bundle.pem", "issuing-ca.crl", "issuing-ca.crt", "issuing-ca.pem", "root-ca.crl", "root-ca.crt", "root-ca.pem"]);
    assert.deepEqual(read.Condition, { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/life-ca-public-distribution-id` } });
    assert.ok(policy.Statement.some((s) => s.Sid === "DenyInsecureTransport"), "still TLS-only towards S3");
  });

  it("certificates then point at it over plain HTTP: leaves' CRL DP and AIA, and the issuing CA's (openssl reads them)", async () => {
    const env = named("life-ca-ca-issuer").inputs.environment.variables;
    assert.deepEqual(JSON.parse(env.LEAF_PROFILE), { policyOids: [], crlUrls: ["http://pki.example.com/issuing-ca.crl"], caIssuersUrls: ["http://pki.example.com/issuing-ca.crt"] });
    const text = tool("openssl", ["x509", "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess", "-in", put(work.dir, "issuing.pem", await promiseOf(ca.issuingCaCertPem))]).stdout;
    assert.match(text, /URI:http:\/\/pki\.example\.com\/root-ca\.crl/);
    assert.match(text, /CA Issuers - URI:http:\/\/pki\.example\.com\/root-ca\.crt/);
    assert.equal(await promiseOf(ca.publicBaseUrl), "http://pki.example.com");
    assert.ok((await promiseOf(ca.crlUrls)).includes("http://pki.example.com/issuing-ca.crl"));
  });

  it("the policy pack passes the endpoint (tagged, S3 + OAC, GET/HEAD, plain HTTP only on CRLs and certificates) and refuses the same tag on anything else", () => {
    const resources = toEngineResources(recorded, "ca-dev");
    assert.deepEqual(evaluate(resources, POLICIES), []);
    const endpoint = resources.find((r) => r.name === "life-ca-public-distribution")!;
    const variant = (change: (props: Record<string, any>) => void) => {
      const props = structuredClone(endpoint.props);
      change(props);
      return evaluate(resources.map((r) => (r === endpoint ? { ...r, props } : r)), POLICIES).map((v) => `${v.policy}: ${v.message}`);
    };
    // Untagged, it is an edge without viewer mTLS that serves plain HTTP.
    assert.deepEqual(variant((p) => delete p.tags).map((v) => v.split(":")[0]).sort(), ["cloudfront-viewer-mtls", "cloudfront-viewer-tls", "cloudfront-viewer-tls"]);
    // Tagged but with an API origin or a method that writes: the tag does not apply.
    const withApi = variant((p) => p.origins.push({ originId: "api", domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/x" } } }));
    assert.ok(withApi.some((v) => /cloudfront-viewer-mtls: .*tagged edge-mtls:purpose=public-pki but is not a public PKI endpoint \(origin api \(api\.example\.com\) is not an S3 REST origin\)/.test(v)), withApi.join("\n"));
    const withPost = variant((p) => (p.orderedCacheBehaviors[0].allowedMethods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]));
    assert.ok(withPost.some((v) => /behaviour \*\.crl allows GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE/.test(v)), withPost.join("\n"));
    // Tagged, S3 only and GET/HEAD, but with edge code that can send requests elsewhere (cf.updateRequestOrigin, Lambda@Edge).
    const withFunction = variant((p) => (p.defaultCacheBehavior.functionAssociations = [{ eventType: "viewer-request", functionArn: "arn:aws:cloudfront::111111111111:function/route-to-api" }]));
    assert.ok(withFunction.some((v) => /cloudfront-viewer-mtls: .*not a public PKI endpoint \(behaviour \(default\) runs a CloudFront Function \(functionAssociations\), which can send requests to another origin\)/.test(v)), withFunction.join("\n"));
    const withLambda = variant((p) => (p.orderedCacheBehaviors[1].lambdaFunctionAssociations = [{ eventType: "origin-request", lambdaArn: "arn:aws:lambda:us-east-1:111111111111:function:route:1" }]));
    assert.ok(withLambda.some((v) => /not a public PKI endpoint \(behaviour \*\.crt runs Lambda@Edge \(lambdaFunctionAssociations\)/.test(v)), withLambda.join("\n"));
    assert.ok(withLambda.some((v) => /^cloudfront-viewer-tls: behaviour \*\.crl has viewerProtocolPolicy "allow-all"/.test(v)), "no longer a public PKI endpoint, its plain HTTP is refused too");
    // Tagged and well shaped, but plain HTTP on another path.
    const httpEverywhere = variant((p) => (p.defaultCacheBehavior.viewerProtocolPolicy = "allow-all"));
    assert.deepEqual(httpEverywhere, ["cloudfront-viewer-tls: behaviour (default) has viewerProtocolPolicy \"allow-all\", which allows plain HTTP; set \"https-only\" or \"redirect-to-https\" (a public PKI endpoint may allow it only on *.crl and *.crt)"]);
  });

  it("public-pki-bucket: the real endpoint's bucket serves only the PKI objects (judged, not skipped); a bucket policy with <bucket>/* or a second distribution on the CA bucket is refused", () => {
    const resources = toEngineResources(recorded, "ca-dev");
    const judge = (list: typeof resources) => publicPkiBucket.check(list.map(toPolicyResource));
    assert.deepEqual(judge(resources), [], "no finding, not even the advisory one for a policy outside the stack");
    const bucketPolicy = resources.find((r) => r.name === "life-ca-artifacts-policy")!;
    const withPolicy = (change: (doc: { Statement: Record<string, unknown>[] }) => void) => {
      const doc = JSON.parse(bucketPolicy.props.policy);
      change(doc);
      return judge(resources.map((r) => (r === bucketPolicy ? { ...r, props: { ...r.props, policy: JSON.stringify(doc) } } : r))).map((f) => f.message);
    };
    const read = (doc: { Statement: Record<string, unknown>[] }) => doc.Statement.find((x) => x.Sid === "PublicPkiEndpointReads")!;
    const everything = withPolicy((doc) => (read(doc).Resource = `${(read(doc).Resource as string[])[0]!.replace(/\/[^/]+$/, "")}/*`));
    assert.equal(everything.length, 1, everything.join("\n"));
    assert.match(everything[0]!, /^life-ca-artifacts-policy is the policy of the public PKI endpoint's bucket \(life-ca-public-distribution\): statement PublicPkiEndpointReads grants s3:GetObject on arn:aws:s3:::[^ ]+\/\*, a wildcard object ARN/);
    assert.match(withPolicy((doc) => (read(doc).Action = "s3:Get*")).join(), /^$/, "a wildcard action on the named objects only is still only the PKI objects");
    assert.match(withPolicy((doc) => doc.Statement.push({ Sid: "Extra", Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" })).join(), /statement Extra grants s3:GetObject on "\*"/);
    assert.match(withPolicy((doc) => (read(doc).Resource = [...(read(doc).Resource as string[]), (read(doc).Resource as string[])[0]!.replace(/[^/]+$/, "keys/private.pem")])).join(), /keys\/private\.pem, which is not one of the PKI objects/);
    assert.match(withPolicy((doc) => { delete read(doc).Resource; read(doc).NotResource = "arn:aws:s3:::nothing/x"; }).join(), /grants s3:GetObject on everything but arn:aws:s3:::nothing\/x \(NotResource\)/);
    // The CA bucket also behind another distribution (say the site of some edge, without viewer mTLS).
    const endpoint = resources.find((r) => r.name === "life-ca-public-distribution")!;
    const site = { ...endpoint, name: "site-distribution", urn: endpoint.urn.replace(/::life-ca-public-distribution$/, "::site-distribution"), props: { ...structuredClone(endpoint.props), tags: {} } };
    const shared = judge([...resources, site]).map((f) => f.message);
    assert.equal(shared.length, 1, shared.join("\n"));
    assert.match(shared[0]!, /^origin ca-bucket \([^)]+\): bucket [^ ]+ is also behind site-distribution \(origin ca-bucket/);
    assert.ok(evaluate([...resources, site], POLICIES).some((v) => v.policy === "public-pki-bucket" && v.enforcementLevel === "mandatory"), "mandatory in the pack and policy:check");
  });
});

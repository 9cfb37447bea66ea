import { strict as assert } from "node:assert";
import { readCaStackConfig } from "../../ca-stack/config";
import { runStack } from "../../offline/deployment";
import { named, ofType } from "../support/pulumi-mocks";

const BASE: Record<string, unknown> = {
  rootSubject: { commonName: "Cloud Root CA", organization: "Cloud CA", country: "GB" },
  issuingSubject: { commonName: "Cloud Issuing CA", organization: "Cloud CA", country: "GB" },
};
const read = (values: Record<string, unknown>, stack = "ca-dev", region: string | undefined = "eu-west-2") => readCaStackConfig((key) => values[key], stack, region);

describe("ca-stack: configuration", () => {
  it("reads a minimal config with the documented defaults", () => {
    const config = read(BASE);
    assert.equal(config.region, "eu-west-2");
    assert.equal(config.ca.environment, "dev");
    assert.equal(config.ca.rootKeySpec, undefined);
    assert.equal(config.ca.protect, false);
  });

  it("refuses P-521 CA keys, saying why, and unknown key specs, naming the key", () => {
    assert.throws(() => read({ ...BASE, rootKeySpec: "ECC_NIST_P521" }), /config edge-mtls:rootKeySpec cannot be ECC_NIST_P521: CloudFront trust stores accept only P-256 and P-384/);
    assert.throws(() => read({ ...BASE, issuingKeySpec: "ECC_SECG_P256K1" }), /config edge-mtls:issuingKeySpec must be one of ECC_NIST_P256, ECC_NIST_P384, RSA_2048, RSA_3072, RSA_4096/);
  });

  it("revokerPrincipals: IAM role ARNs only; a whole account is refused, saying why", () => {
    const admins = ["arn:aws:iam::444444444444:role/pki-admins", "arn:aws-us-gov:iam::555555555555:role/path/to/revokers"];
    assert.deepEqual(read({ ...BASE, revokerPrincipals: admins }).ca.revokerPrincipals, admins);
    assert.equal(read(BASE).ca.revokerPrincipals, undefined);
    assert.throws(() => read({ ...BASE, revokerPrincipals: ["444444444444"] }), /edge-mtls:revokerPrincipals must name IAM roles, not accounts: 444444444444 would let every principal of that account revoke any certificate; give arn:aws:iam::444444444444:role\/<admin role>/);
    for (const bad of [["arn:aws:iam::444444444444:root"], ["arn:aws:iam::444444444444:user/alice"], ["arn:aws:iam::444444444444:role/"], "arn:aws:iam::444444444444:role/x", [42]]) {
      assert.throws(() => read({ ...BASE, revokerPrincipals: bad }), /edge-mtls:revokerPrincipals must be a list of IAM role ARNs/, JSON.stringify(bad));
    }
  });

  it("names the key for every bad value", () => {
    assert.throws(() => read({ issuingSubject: BASE.issuingSubject }), /config edge-mtls:rootSubject is not set/);
    assert.throws(() => read({ ...BASE, rootSubject: { organization: "x" } }), /edge-mtls:rootSubject needs a commonName/);
    assert.throws(() => read({ ...BASE, rootSubject: { commonName: "x", country: "gb" } }), /edge-mtls:rootSubject\.country must be a two-letter/);
    assert.throws(() => read({ ...BASE, maxLeafLifetimeDays: 0 }), /edge-mtls:maxLeafLifetimeDays must be a whole number from 1 to 825/);
    assert.throws(() => read({ ...BASE, workloadPrincipals: ["12345"] }), /edge-mtls:workloadPrincipals must be a list of 12-digit account ids or IAM role ARNs/);
    assert.throws(() => read({ ...BASE, namePolicies: { code_signing: {} } }), /edge-mtls:namePolicies has unknown purpose code_signing/);
    assert.throws(() => read({ ...BASE, publicBaseUrl: "ftp://x" }), /edge-mtls:publicBaseUrl must be an http\(s\) URL/);
    for (const url of ["http://pki.example.com/\u202ecrl", "http://p\u00e9ki.example.com", "http://pki.example.com/a b"]) {
      assert.throws(() => read({ ...BASE, publicBaseUrl: url }), /edge-mtls:publicBaseUrl must be an ASCII URI/, JSON.stringify(url));
    }
    assert.throws(() => read({ ...BASE, keyDeletionWindowDays: 3 }), /keyDeletionWindowDays must be a whole number from 7 to 30/);
    assert.throws(() => read({ ...BASE, alarmTopicArn: "alarms" }), /edge-mtls:alarmTopicArn must be an SNS topic ARN/);
    assert.throws(() => read({ ...BASE, alarmTopicArn: "arn:aws:sns:us-east-1:111111111111:alarms" }), /edge-mtls:alarmTopicArn must be a topic in the CA's region eu-west-2: an EventBridge rule publishes only to targets in its own region; got us-east-1/);
    assert.equal(read({ ...BASE, alarmTopicArn: "arn:aws:sns:eu-west-2:111111111111:alarms" }).ca.alarmTopicArn, "arn:aws:sns:eu-west-2:111111111111:alarms");
    assert.throws(() => read({ ...BASE, notificationTopicArn: "arn:aws:sqs:eu-west-2:111111111111:q" }), /edge-mtls:notificationTopicArn must be an SNS topic ARN/);
    assert.equal(read({ ...BASE, notificationTopicArn: "arn:aws:sns:us-east-1:111111111111:certs.fifo" }).ca.notificationTopicArn, "arn:aws:sns:us-east-1:111111111111:certs.fifo", "reminders publish through the API: any region");
    assert.deepEqual(read({ ...BASE, reminderWindowsDays: [60, 7] }).ca.reminderWindowsDays, [60, 7]);
    for (const bad of [[], [0], [7, 7], ["7"], 7]) assert.throws(() => read({ ...BASE, reminderWindowsDays: bad }), /edge-mtls:reminderWindowsDays /, JSON.stringify(bad));
    assert.throws(() => read({ ...BASE, inventoryReaderPrincipals: ["333333333333"] }), /edge-mtls:inventoryReaderPrincipals must name IAM roles, not accounts: 333333333333 would let every principal of that account list the whole inventory/);
    assert.throws(() => readCaStackConfig((key) => BASE[key], "ca-dev", undefined), /config aws:region is not set/);
  });

  it("publicDomain sets the one public base URL, http://<publicDomain>, and needs a zone or a us-east-1 certificate", () => {
    const withZone = read({ ...BASE, publicDomain: "PKI.example.com", publicHostedZoneId: "Z1" });
    assert.deepEqual(withZone.publicEndpoint, { domainName: "pki.example.com", hostedZoneId: "Z1", certificateArn: undefined });
    assert.equal(withZone.ca.publicBaseUrl, "http://pki.example.com");
    assert.equal(read({ ...BASE, publicDomain: "pki.example.com", publicHostedZoneId: "Z1", publicBaseUrl: "http://pki.example.com/" }).ca.publicBaseUrl, "http://pki.example.com");
    assert.throws(() => read({ ...BASE, publicDomain: "pki.example.com", publicHostedZoneId: "Z1", publicBaseUrl: "https://pki.example.com" }), /edge-mtls:publicBaseUrl disagrees with edge-mtls:publicDomain: the endpoint serves http:\/\/pki\.example\.com/);
    assert.throws(() => read({ ...BASE, publicDomain: "pki.example.com" }), /edge-mtls:publicDomain needs edge-mtls:publicHostedZoneId .* or edge-mtls:publicCertificateArn/);
    assert.throws(() => read({ ...BASE, publicDomain: "pki.example.com", publicCertificateArn: "arn:aws:acm:eu-west-2:111111111111:certificate/x" }), /edge-mtls:publicCertificateArn must be an ACM certificate in us-east-1/);
    assert.throws(() => read({ ...BASE, publicDomain: "not a host", publicHostedZoneId: "Z1" }), /edge-mtls:publicDomain must be a DNS host name/);
    assert.throws(() => read({ ...BASE, publicHostedZoneId: "Z1" }), /edge-mtls:publicHostedZoneId needs edge-mtls:publicDomain/);
    assert.equal(read(BASE).publicEndpoint, undefined);
  });
});

describe("ca-stack: the program under mocks", function () {
  this.timeout(120_000);
  let outputs: Record<string, unknown>;

  before(async () => {
    // Through the offline deployment, as `pulumi up` would run it: AWS's rules refuse what AWS would.
    ({ outputs } = await runStack({
      kind: "ca",
      stack: "ca-dev",
      config: {
        "edge-mtls:role": "ca",
        "aws:region": "eu-west-2",
        "edge-mtls:rootSubject": JSON.stringify(BASE.rootSubject),
        "edge-mtls:issuingSubject": JSON.stringify(BASE.issuingSubject),
        "edge-mtls:workloadPrincipals": JSON.stringify(["222222222222"]),
        "edge-mtls:assumeRoleArn": "arn:aws:iam::111111111111:role/edge-mtls-deployer",
      },
    }));
  });

  it("exports exactly the contract's outputs", async () => {
    assert.deepEqual(Object.keys(outputs).sort(), [
      "alarmTopicPolicyStatement",
      "caAccountId",
      "caBucketName",
      "crlUrls",
      "inventoryFunctionArn",
      "issuerFunctionArn",
      "issuingCaCertPem",
      "keygenKeyArn",
      "publicBaseUrl",
      "revokerFunctionArn",
      "rootCaCertPem",
      "trustBundlePem",
      "trustBundleS3Uri",
      "trustBundleS3Version",
    ]);
    assert.match(String(outputs.trustBundlePem), /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.match(String(outputs.issuerFunctionArn), /function:edge-mtls-dev-ca-issuer$/);
    assert.match(String(outputs.revokerFunctionArn), /function:edge-mtls-dev-ca-revoker$/);
    assert.match(String(outputs.inventoryFunctionArn), /function:edge-mtls-dev-ca-inventory$/);
  });

  it("without an alarm topic, the key-change rule still matches but has no target, and there is no topic statement to add", async () => {
    assert.equal(JSON.parse(named("edge-mtls-key-changes").inputs.eventPattern).detail.eventName.length, 4);
    assert.equal(ofType("aws:cloudwatch/eventTarget:EventTarget").length, 0);
    assert.equal(outputs.alarmTopicPolicyStatement, "");
  });

  it("deploys through an explicit provider in the configured region that assumes the configured role", () => {
    const provider = named("ca-account").inputs;
    assert.equal(provider.region, "eu-west-2");
    assert.deepEqual(JSON.parse(provider.assumeRoles)[0], { roleArn: "arn:aws:iam::111111111111:role/edge-mtls-deployer", sessionName: "edge-mtls-ca" });
    assert.ok(named("edge-mtls-ca-issuer").provider?.includes("ca-account"), "children use the explicit provider");
  });
});

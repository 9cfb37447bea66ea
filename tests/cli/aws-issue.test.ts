import { strict as assert } from "node:assert";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { GenerateDataKeyPairCommand, KMSClient } from "@aws-sdk/client-kms";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { handle as caAdmin, BootstrapResult } from "../../functions/ca-admin";
import { handle as caIssuer } from "../../functions/ca-issuer";
import { handle as caRevoker } from "../../functions/ca-revoker";
import { memoryCaDeps } from "../../offline/memory-ca";
import { awsError } from "../support/kms-mock";
import { TEST_CA_ENV } from "../support/ca-deps";
import { put, tempDir, tool } from "../support/tools";
import { runCli as cli } from "../support/run-cli";

const ISSUER = "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer";
const REVOKER = "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-revoker";
const KEYGEN = "alias/edge-mtls-dev-tls-keygen";


describe("cli: certificates from the deployed CA (KMS, Lambda, ACM mocked; the real ca-issuer behind Invoke)", function () {
  this.timeout(60_000);
  const work = tempDir();
  let kms: ReturnType<typeof mockClient>;
  let lambda: ReturnType<typeof mockClient>;
  let acm: ReturnType<typeof mockClient>;
  let bootstrap: BootstrapResult;
  const invocations: Record<string, unknown>[] = [];
  const imports: Record<string, unknown>[] = [];

  beforeEach(async () => {
    const ca = memoryCaDeps(TEST_CA_ENV);
    bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
    kms = mockClient(KMSClient);
    lambda = mockClient(LambdaClient);
    acm = mockClient(ACMClient);
    invocations.length = 0;
    imports.length = 0;
    kms.on(GenerateDataKeyPairCommand).callsFake((input) => {
      assert.deepEqual([input.KeyId, input.KeyPairSpec], [KEYGEN, "ECC_NIST_P256"]);
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      return { KeyPairSpec: "ECC_NIST_P256", PrivateKeyPlaintext: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" })), PublicKey: new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" })) };
    });
    lambda.on(InvokeCommand).callsFake(async (input) => {
      assert.equal(input.InvocationType, "RequestResponse");
      const event = JSON.parse(Buffer.from(input.Payload).toString());
      invocations.push(event);
      const handlers: Record<string, (event: unknown, deps: typeof ca.worker, requestId: string) => Promise<unknown>> = { [ISSUER]: caIssuer, [REVOKER]: caRevoker };
      const handler = handlers[String(input.FunctionName)];
      if (!handler) throw awsError("ResourceNotFoundException", `Function not found: ${input.FunctionName}`);
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(await handler(event, ca.worker, "req"))) };
    });
    acm.on(ImportCertificateCommand).callsFake((input) => {
      imports.push(input);
      return { CertificateArn: input.CertificateArn ?? "arn:aws:acm:us-east-1:222222222222:certificate/new" };
    });
  });
  afterEach(() => {
    kms.restore();
    lambda.restore();
    acm.restore();
  });
  after(work.cleanup);

  const howto = ["--cn", "CloudFront", "--ou", "CloudFront", "--o", "Serverless Inc", "--c", "GB", "--l", "London", "--st", "England", "--purpose", "client_auth", "--lifetime", "90"];

  it("makes the key with KMS, has ca-issuer sign it, writes the four files and imports body / chain / key into ACM", async () => {
    const result = await cli(work.dir, "cert", "issue", "--ca-function", ISSUER, "--keygen-key", KEYGEN, "--region", "eu-west-2", ...howto, "--out", "cf", "--name", "cloudfront", "--acm-import", "--json");
    assert.equal(result.code, 0, result.stderr);
    const out = join(work.dir, "cf");
    assert.deepEqual(readdirSync(out).sort(), ["cloudfront-cert-key.pem", "cloudfront-cert.crt", "cloudfront-cert.pem", "cloudfront-key.pem"]);
    const leaf = readFileSync(join(out, "cloudfront-cert.pem"), "utf8");
    const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", put(work.dir, "bundle.pem", bootstrap.trustBundlePem), join(out, "cloudfront-cert.pem")]);
    assert.equal(verify.status, 0, verify.output);
    assert.equal(invocations.length, 1);
    assert.match(String(invocations[0]!.idempotencyKey), /^cli-[0-9a-f-]{36}$/);
    assert.equal(imports.length, 1);
    const imported = imports[0] as { Certificate: Uint8Array; CertificateChain: Uint8Array; PrivateKey: Uint8Array; CertificateArn?: string };
    assert.equal(Buffer.from(imported.Certificate).toString(), leaf);
    assert.equal(Buffer.from(imported.CertificateChain).toString(), bootstrap.issuingCaCertPem + bootstrap.rootCaCertPem);
    assert.equal(Buffer.from(imported.PrivateKey).toString(), readFileSync(join(out, "cloudfront-key.pem"), "utf8"));
    assert.equal(JSON.parse(result.stdout).certificateArn, "arn:aws:acm:us-east-1:222222222222:certificate/new");
  });

  it("re-imports in place with --certificate-arn, and a retried command with the same idempotency key gets the same certificate", async () => {
    const args = ["cert", "issue", "--ca-function", ISSUER, "--csr", put(work.dir, "own.csr", tool("openssl", ["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", join(work.dir, "own.key"), "-subj", "/CN=CloudFront/OU=CloudFront"]).stdout), "--idempotency-key", "retry-me-12345", "--out", "own", "--json"];
    const first = JSON.parse((await cli(work.dir, ...args)).stdout);
    const second = JSON.parse((await cli(work.dir, ...args)).stdout);
    assert.equal(first.serialNumber, second.serialNumber);
    const arn = "arn:aws:acm:us-east-1:222222222222:certificate/existing";
    const reimport = await cli(work.dir, "cert", "issue", "--ca-function", ISSUER, "--keygen-key", KEYGEN, ...howto, "--out", "re", "--acm-import", "--certificate-arn", arn, "--json");
    assert.equal(reimport.code, 0, reimport.stderr);
    assert.equal((imports.at(-1) as { CertificateArn: string }).CertificateArn, arn);
  });

  it("revokes through ca-revoker, which publishes the CRL at once; pointed at ca-issuer it says which function to give", async () => {
    const issued = JSON.parse((await cli(work.dir, "cert", "issue", "--ca-function", ISSUER, "--keygen-key", KEYGEN, "--cn", "user-5", "--ou", "Security Operations", "--out", "rv", "--json")).stdout);
    const wrong = await cli(work.dir, "cert", "revoke", "--ca-function", ISSUER, "--serial", issued.serialNumber, "--reason", "keyCompromise");
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /--ca-function arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer is ca-issuer, which does not revoke; give the CA's ca-revoker \(stack output revokerFunctionArn\)/);
    const revoked = await cli(work.dir, "cert", "revoke", "--ca-function", REVOKER, "--serial", issued.serialNumber, "--reason", "keyCompromise");
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Revoked ${issued.serialNumber} .* reason keyCompromise; CRL 2 published`));
    const again = await cli(work.dir, "cert", "revoke", "--ca-function", REVOKER, "--serial", issued.serialNumber);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error ALREADY_REVOKED \(serialNumber\): ca-revoker refused: certificate .* was already revoked on .* \(keyCompromise\); the published CRL number 2 lists it/);
  });

  const failures: Array<[string, () => void, RegExp]> = [
    ["KMS access denied", () => kms.on(GenerateDataKeyPairCommand).rejects(awsError("AccessDeniedException", "not authorized to perform kms:GenerateDataKeyPair")), /kms:GenerateDataKeyPair on alias\/edge-mtls-dev-tls-keygen was denied: .*key policy/],
    ["Lambda throttled", () => lambda.on(InvokeCommand).rejects(awsError("TooManyRequestsException", "Rate exceeded")), /lambda:InvokeFunction on .*ca-issuer is being throttled \(TooManyRequestsException\)/],
    ["the function crashed", () => lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: Buffer.from(JSON.stringify({ errorType: "Error", errorMessage: "boom" })) as never }), /ca-issuer \(.*\) failed \(Unhandled\): boom; see its CloudWatch logs/],
    ["the CA refused (name policy)", () => undefined, /error SUBJECT_CN_NOT_ALLOWED \(subject.commonName\): ca-issuer refused: CN "Mallory"/],
    ["ACM import denied", () => acm.on(ImportCertificateCommand).rejects(awsError("AccessDeniedException", "not authorized")), /acm:ImportCertificate on a new ACM certificate was denied/],
  ];
  for (const [name, arrange, message] of failures) {
    it(`says clearly what failed and leaves no file: ${name}`, async () => {
      arrange();
      const dir = `fail-${name.replace(/\W+/g, "-")}`;
      const cn = name.includes("refused") ? "Mallory" : "CloudFront";
      const result = await cli(work.dir, "cert", "issue", "--ca-function", ISSUER, "--keygen-key", KEYGEN, "--cn", cn, "--ou", "CloudFront", "--out", dir, "--acm-import");
      assert.equal(result.code, 1);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.equal(existsSync(join(work.dir, dir)), false, "no partial files");
    });
  }

  it("refuses mixed or incomplete invocations", async () => {
    assert.match((await cli(work.dir, "cert", "issue", "--cn", "x")).stderr, /give either --ca-dir .* or --ca-function/);
    assert.match((await cli(work.dir, "cert", "issue", "--ca-function", ISSUER, "--cn", "x")).stderr, /--keygen-key is required with --ca-function/);
    assert.match((await cli(work.dir, "cert", "issue", "--ca-dir", "x", "--keygen-key", KEYGEN, "--cn", "x")).stderr, /--keygen-key goes with --ca-function/);
  });
});

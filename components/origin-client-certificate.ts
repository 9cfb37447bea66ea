import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { checkOriginClientCertificate, renewalWindow } from "./edge-rules";
import { stackIdempotencyKey } from "./idempotency-key";

/** Arguments of {@link OriginClientCertificate}. */
export interface OriginClientCertificateArgs {
  /** ARN of the CA stack's ca-issuer function (cross-account invocation). */
  readonly issuerFunctionArn: pulumi.Input<string>;
  /** Subject CN; default `CloudFront` (the authorizer's allow-list must match). */
  readonly commonName?: string;
  /** Subject OU; default `CloudFront`. */
  readonly organizationalUnit?: string;
  /** Key type CloudFront accepts for origin mTLS: `ECDSA` P-256 (default) or `RSA` 2048. */
  readonly keyAlgorithm?: "ECDSA" | "RSA";
  /** Certificate lifetime in days; default 90 (the how-to's). */
  readonly lifetimeDays?: number;
  /** Re-issue when fewer than this many days remain; default 30. */
  readonly renewBeforeDays?: number;
  /** Provider pinned to us-east-1: CloudFront only reads ACM certificates there. */
  readonly usEast1: aws.Provider;
  /** Clock for the renewal window (tests). */
  readonly now?: () => Date;
}

interface IssueResult {
  certificatePem?: string;
  chainPem?: string;
  serialNumber?: string;
  notAfter?: string;
  error?: { code: string; message: string; field?: string };
}

/**
 * The client certificate CloudFront presents to the API origin: an ECDSA P-256 key and CSR made
 * with @pulumi/tls, signed by the CA's ca-issuer (purpose client_auth, with an idempotency key so
 * retries never mint a second certificate, derived from the private key so it cannot be
 * guessed), checked (clientAuth EKU, key type, chain ≤ 3), and imported into ACM in us-east-1 —
 * body = leaf, chain = issuing + root, key as a secret. When the renewal window turns, a plain
 * `pulumi up` re-issues and re-imports it in place (same ARN).
 */
export class OriginClientCertificate extends pulumi.ComponentResource {
  public readonly certificateArn: pulumi.Output<string>;
  public readonly serialNumber: pulumi.Output<string>;
  public readonly notAfter: pulumi.Output<string>;

  constructor(name: string, args: OriginClientCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:OriginClientCertificate", name, {}, opts);
    const parent = { parent: this };
    const lifetimeDays = args.lifetimeDays ?? 90;
    const window = renewalWindow((args.now ?? (() => new Date()))(), lifetimeDays, args.renewBeforeDays ?? 30);
    const key = new tls.PrivateKey(`${name}-key`, args.keyAlgorithm === "RSA" ? { algorithm: "RSA", rsaBits: 2048 } : { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
    const csr = new tls.CertRequest(
      `${name}-csr`,
      { privateKeyPem: key.privateKeyPem, subject: { commonName: args.commonName ?? "CloudFront", organizationalUnit: args.organizationalUnit ?? "CloudFront" } },
      parent,
    );
    const issue = new aws.lambda.Invocation(
      `${name}-issue`,
      {
        functionName: args.issuerFunctionArn,
        // One idempotency key per stack, certificate and window (a retried `up` gets the same
        // certificate), keyed by our private key so nobody else can claim it first.
        input: pulumi.jsonStringify({ action: "issue", csrPem: csr.certRequestPem, purposes: ["client_auth"], lifetimeDays, idempotencyKey: stackIdempotencyKey(key.privateKeyPem, name, `w${window}`) }),
        triggers: { renewalWindow: String(window) },
      },
      parent,
    );
    const issued = issue.result.apply((raw) => {
      const result = JSON.parse(raw) as IssueResult;
      if (result.error) throw new Error(`ca-issuer refused the origin client certificate: ${result.error.code}${result.error.field ? ` (${result.error.field})` : ""}: ${result.error.message}`);
      checkOriginClientCertificate(result.certificatePem!, result.chainPem!);
      return result;
    });
    const certificate = new aws.acm.Certificate(
      `${name}-acm`,
      { certificateBody: issued.apply((r) => r.certificatePem!), certificateChain: issued.apply((r) => r.chainPem!), privateKey: pulumi.secret(key.privateKeyPem) },
      { parent: this, provider: args.usEast1 },
    );
    this.certificateArn = certificate.arn;
    this.serialNumber = issued.apply((r) => r.serialNumber!);
    this.notAfter = issued.apply((r) => r.notAfter!);
    this.registerOutputs({ certificateArn: this.certificateArn, serialNumber: this.serialNumber, notAfter: this.notAfter });
  }
}

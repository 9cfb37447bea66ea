import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caFingerprints, checkOriginClientCertificate } from "../pki/origin-client-certificate";
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
  /** The CA's trust bundle (root then issuing): the issued chain must be made of these certificates. */
  readonly trustBundlePem: pulumi.Input<string>;
  /** Provider pinned to us-east-1: CloudFront only reads ACM certificates there. */
  readonly usEast1: aws.Provider;
}

/**
 * What the renewal function changes in place after the first import, so Pulumi must not put back:
 * the ACM certificate's body, chain and key, and the issuing invocation (re-running it would only
 * mint a certificate nobody imports).
 */
export const SELF_RENEWED_FIELDS = {
  certificate: ["certificateBody", "certificateChain", "privateKey"],
  issue: ["input", "triggers"],
} as const;

interface IssueResult {
  certificatePem?: string;
  chainPem?: string;
  serialNumber?: string;
  notAfter?: string;
  error?: { code: string; message: string; field?: string };
}

/**
 * The client certificate CloudFront presents to the API origin, first import: an ECDSA P-256 (or
 * RSA 2048) key and CSR made with @pulumi/tls, signed by the CA's ca-issuer (purpose client_auth,
 * with an idempotency key so retries never mint a second certificate, derived from the private
 * key so it cannot be guessed), checked (clientAuth EKU, key type, chain ≤ 3 of this CA's
 * certificates), and imported into ACM in us-east-1 — body = leaf, chain = issuing + root, key as
 * a secret. From then on the certificate belongs to the renewal function
 * (OriginCertificateRenewer), which re-imports under the same ARN: Pulumi ignores the fields it
 * changes ({@link SELF_RENEWED_FIELDS}), so `pulumi up` (with or without --refresh) neither puts
 * an old certificate back nor mints a new one.
 */
export class OriginClientCertificate extends pulumi.ComponentResource {
  public readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: OriginClientCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:OriginClientCertificate", name, {}, opts);
    const parent = { parent: this };
    const lifetimeDays = args.lifetimeDays ?? 90;
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
        // One idempotency key per stack and certificate (a retried `up` gets the same certificate),
        // keyed by our private key so nobody else can claim it first. The renewal function's keys
        // share the component name, so the inventory sees one series.
        input: pulumi.jsonStringify({ action: "issue", csrPem: csr.certRequestPem, purposes: ["client_auth"], lifetimeDays, idempotencyKey: stackIdempotencyKey(key.privateKeyPem, name, "initial") }),
      },
      { parent: this, ignoreChanges: [...SELF_RENEWED_FIELDS.issue] },
    );
    const issued = pulumi.all([issue.result, args.trustBundlePem]).apply(([raw, bundle]) => {
      const result = JSON.parse(raw) as IssueResult;
      if (result.error) throw new Error(`ca-issuer refused the origin client certificate: ${result.error.code}${result.error.field ? ` (${result.error.field})` : ""}: ${result.error.message}`);
      checkOriginClientCertificate(result.certificatePem!, result.chainPem!, { trustedCaSha256: caFingerprints(bundle) });
      return result;
    });
    const certificate = new aws.acm.Certificate(
      `${name}-acm`,
      { certificateBody: issued.apply((r) => r.certificatePem!), certificateChain: issued.apply((r) => r.chainPem!), privateKey: pulumi.secret(key.privateKeyPem) },
      { parent: this, provider: args.usEast1, ignoreChanges: [...SELF_RENEWED_FIELDS.certificate] },
    );
    this.certificateArn = certificate.arn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}

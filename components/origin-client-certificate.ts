import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caFingerprints, checkOriginClientCertificate, trustBundleDigest } from "../pki/origin-client-certificate";
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
 * How the certificate follows the CA, in resource options and inputs (tests pin them):
 * - the issuing invocation carries `triggers.trustBundleSha256` and is not `ignoreChanges`: the
 *   AWS provider replaces an `aws.lambda.Invocation` (so invokes it again) when its `triggers` or,
 *   by default, its `input` change, and Pulumi's `ignoreChanges` would put the old value back
 *   before that decision;
 * - the ACM certificate ignores nothing and replaces only on a new private key: the provider
 *   re-imports a changed body, chain or key under the same ARN (ImportCertificate with
 *   CertificateArn) and never reads them back from ACM, so what the renewal function imports in
 *   between is not drift Pulumi would undo; a new key (another keyAlgorithm) cannot be re-imported
 *   ("The key type and size cannot be changed"), so it makes a new certificate.
 */
export const ROTATION_OPTIONS = {
  issue: { trigger: "trustBundleSha256" },
  certificate: { replaceOnChanges: ["privateKey"] },
} as const;

interface IssueResult {
  certificatePem?: string;
  chainPem?: string;
  serialNumber?: string;
  notAfter?: string;
  error?: { code: string; message: string; field?: string };
}

/**
 * The client certificate CloudFront presents to the API origin: an ECDSA P-256 (or RSA 2048) key
 * and CSR made with @pulumi/tls, signed by the CA's ca-issuer (purpose client_auth), checked
 * (clientAuth EKU, key type, chain ≤ 3 of this CA's certificates), and imported into ACM in
 * us-east-1 — body = leaf, chain = issuing + root, key as a secret.
 *
 * The issuance is keyed on the CA's trust bundle ({@link trustBundleDigest}): the invocation's
 * `triggers` and the idempotency key's period (`b<digest>`) carry its digest. While the bundle
 * stays the same, `pulumi up` declares the same inputs and changes nothing (a retried `up`
 * replays the same certificate: same idempotency key, keyed by our private key so nobody else can
 * claim it first); between deploys the renewal function (OriginCertificateRenewer) re-imports
 * under the same ARN. When the CA stack publishes another bundle (a new root or issuing CA), the
 * invocation runs again, the new CA issues a certificate for the same key, and the provider
 * re-imports it under the same ARN: the distribution keeps its origin certificate ARN (CloudFront
 * takes at most 5 new origin mTLS certificate ARNs per distribution update) and presents a
 * certificate API Gateway's new truststore accepts. See {@link ROTATION_OPTIONS}.
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
    const trustBundleSha256 = pulumi.output(args.trustBundlePem).apply(trustBundleDigest);
    const issue = new aws.lambda.Invocation(
      `${name}-issue`,
      {
        functionName: args.issuerFunctionArn,
        // One idempotency key per stack, certificate and trust bundle: a retried `up` gets the same
        // certificate, a new bundle a new one (an issuing CA rotated in the same CA stack keeps its
        // inventory, where the old key would replay the old CA's certificate). The renewal
        // function's keys share the component name, so the inventory sees one series.
        input: pulumi.jsonStringify({ action: "issue", csrPem: csr.certRequestPem, purposes: ["client_auth"], lifetimeDays, idempotencyKey: stackIdempotencyKey(key.privateKeyPem, name, trustBundleSha256.apply((digest) => `b${digest.slice(0, 16)}`)) }),
        // The input is a secret (its idempotency key): the trigger shows in a preview why it runs again.
        triggers: { [ROTATION_OPTIONS.issue.trigger]: trustBundleSha256 },
      },
      { parent: this },
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
      { parent: this, provider: args.usEast1, replaceOnChanges: [...ROTATION_OPTIONS.certificate.replaceOnChanges] },
    );
    this.certificateArn = certificate.arn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}

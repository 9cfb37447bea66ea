import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PUBLIC_PKI_PLAIN_HTTP_PATHS, PUBLIC_PKI_TAG } from "../functions/shared/contract";
import { validatedCertificate } from "./validated-certificate";

/** Arguments of {@link PublicPkiEndpoint}. */
export interface PublicPkiEndpointArgs {
  /** Environment name, in resource names. */
  readonly environment: string;
  /** The host name relying parties fetch from, e.g. `pki.example.com`. */
  readonly domainName: string;
  /** The CA bucket (its regional domain name is the origin). */
  readonly bucket: aws.s3.Bucket;
  /** A Route 53 zone for the DNS-validated certificate and the alias records; or give certificateArn. */
  readonly hostedZoneId?: string;
  /** An ACM certificate in us-east-1 covering domainName, when there is no zone. */
  readonly certificateArn?: string;
  /** Provider pinned to us-east-1: CloudFront reads ACM certificates only there. */
  readonly usEast1: aws.Provider;
  /** CloudFront price class; default PriceClass_100. */
  readonly priceClass?: string;
}

/**
 * CloudFront in front of the CA bucket, through an Origin Access Control, serving exactly what
 * ca-admin and ca-crl publish with the content types they set (`application/pkix-cert` for the DER
 * certificates, `application/pkix-crl` for the CRLs): CRLs and DER certificates over plain HTTP
 * too — RFC 5280 §4.2.1.13 and §4.2.2.1 describe HTTP URIs for them, and §8 asks CAs not to use
 * https URIs there (a relying party may need the CRL to validate the HTTPS server it would fetch
 * it from) — everything else redirected to HTTPS. Cached for at most an hour (a CRL is valid for
 * several hours and republished hourly). Tagged {@link PUBLIC_PKI_TAG}: the policy pack tells it
 * from the mTLS edge by that tag and by its shape (S3 origins behind OAC only, GET/HEAD only).
 */
export class PublicPkiEndpoint extends pulumi.ComponentResource {
  public readonly distributionArn: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  /** `http://<domainName>`: the base of the CRL distribution points and AIA URLs. */
  public readonly baseUrl: string;

  constructor(name: string, args: PublicPkiEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:ca:PublicPkiEndpoint", name, {}, opts);
    const parent = { parent: this };
    const prefix = `edge-mtls-${args.environment}`;
    if (!args.hostedZoneId && !args.certificateArn) throw new Error(`the public PKI endpoint ${args.domainName} needs a Route 53 zone (edge-mtls:publicHostedZoneId) or an ACM certificate in us-east-1 (edge-mtls:publicCertificateArn)`);
    // OAC names are unique per account and at most 64 characters.
    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      { name: `${prefix}-ca-public`, originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4", description: "edge-mtls: CloudFront signs every request to the CA bucket" },
      parent,
    );
    const cachePolicy = new aws.cloudfront.CachePolicy(
      `${name}-cache`,
      {
        name: `${prefix}-ca-public`,
        comment: "edge-mtls: CA certificates and CRLs, cached at most an hour",
        minTtl: 0,
        defaultTtl: 300,
        maxTtl: 3600,
        parametersInCacheKeyAndForwardedToOrigin: {
          cookiesConfig: { cookieBehavior: "none" },
          headersConfig: { headerBehavior: "none" },
          queryStringsConfig: { queryStringBehavior: "none" },
          enableAcceptEncodingGzip: false,
          enableAcceptEncodingBrotli: false,
        },
      },
      parent,
    );
    const certificateArn = args.certificateArn ?? validatedCertificate(`${name}-certificate`, args.domainName, args.hostedZoneId!, { provider: args.usEast1, parent: this });
    const originId = "ca-bucket";
    const behaviour = (viewerProtocolPolicy: "allow-all" | "redirect-to-https") => ({
      targetOriginId: originId,
      viewerProtocolPolicy,
      allowedMethods: ["GET", "HEAD"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: cachePolicy.id,
      compress: false,
    });
    const distribution = new aws.cloudfront.Distribution(
      `${name}-distribution`,
      {
        enabled: true,
        comment: `${prefix}: public CA certificates and CRLs`,
        aliases: [args.domainName],
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? "PriceClass_100",
        origins: [{ originId, domainName: args.bucket.bucketRegionalDomainName, originAccessControlId: oac.id, s3OriginConfig: { originAccessIdentity: "" } }],
        defaultCacheBehavior: behaviour("redirect-to-https"),
        orderedCacheBehaviors: PUBLIC_PKI_PLAIN_HTTP_PATHS.map((pathPattern) => ({ pathPattern, ...behaviour("allow-all") })),
        viewerCertificate: { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        restrictions: { geoRestriction: { restrictionType: "none" } },
        tags: { [PUBLIC_PKI_TAG.key]: PUBLIC_PKI_TAG.value },
      },
      parent,
    );
    if (args.hostedZoneId) {
      for (const type of ["A", "AAAA"]) {
        new aws.route53.Record(`${name}-alias-${type.toLowerCase()}`, { zoneId: args.hostedZoneId, name: args.domainName, type, aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }] }, parent);
      }
    }
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.baseUrl = `http://${args.domainName}`;
    this.registerOutputs({ distributionArn: this.distributionArn, domainName: this.domainName });
  }
}

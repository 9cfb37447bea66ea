import { X509Certificate } from "node:crypto";
import { CA_ENV } from "../../functions/shared/contract";
import { readCaConfig } from "../../functions/shared/ca-config";
import { validateIssueRequest } from "../../pki/issuance-policy";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { EKU_OIDS } from "../../pki/profiles";
import { identitySourcesOf } from "./api-gateway";
import { behavioursOf, customConfigOf, customHeadersOf, DISTRIBUTION_TYPES, itemsOf, originIdOf, originsOf } from "./cloudfront-shape";
import { AwsDeploymentRule, AwsResource, bytes, label } from "./rule";
import { SOURCES } from "./sources";
import { API_GATEWAY_BUNDLE, BundleProfile, bundleProblems, CLOUDFRONT_BUNDLE } from "./trust-bundle";

const ofType = (resources: readonly AwsResource[], ...types: string[]) => resources.filter((r) => types.includes(r.type));
const isDistribution = (r: AwsResource) => (DISTRIBUTION_TYPES as readonly string[]).includes(r.type);

/** The content of the S3 object `s3://bucket/key` when the deployment writes it (the bucket given by name or by id). */
export function objectContent(resources: readonly AwsResource[], bucket: string, key: string): string | undefined {
  const bucketIds = new Set([bucket, ...ofType(resources, "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2").filter((b) => b.props.bucket === bucket).map((b) => b.props.id).filter((id): id is string => typeof id === "string")]);
  const object = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject").find((o) => o.props.key === key && bucketIds.has(o.props.bucket));
  return typeof object?.props.content === "string" ? object.props.content : undefined;
}

/** Headers CloudFront sends to the origin `originId` of `distribution` on every request it forwards there: custom headers, and the headers its origin request policies list. */
export function headersSentToOrigin(resources: readonly AwsResource[], distribution: AwsResource, origin: Record<string, any>): Set<string> {
  const sent = new Set(customHeadersOf(origin).map((h) => h.name.toLowerCase()));
  for (const behaviour of behavioursOf(distribution.props).filter((b) => b.targetOriginId === originIdOf(origin))) {
    const policy = ofType(resources, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy").find((p) => p.props.id === behaviour.originRequestPolicyId);
    for (const header of itemsOf(policy?.props.headersConfig?.headers)) sent.add(header.toLowerCase());
  }
  return sent;
}

function bundleRule(
  id: string,
  service: string,
  profile: BundleProfile,
  summary: string,
  awsError: string,
  sources: AwsDeploymentRule["sources"],
  locate: (resources: readonly AwsResource[]) => { resource: AwsResource; bucket: string; key: string }[],
  disagreement?: string,
): AwsDeploymentRule {
  return {
    id,
    disagreement,
    service,
    scope: "deployment",
    kind: "hard",
    summary,
    awsError,
    sources,
    check(resources) {
      return locate(resources).flatMap(({ resource, bucket, key }) => {
        const content = objectContent(resources, bucket, key);
        if (content === undefined) return [];
        return bundleProblems(content, profile).map((problem) => ({ resource, message: `${label(resource)}: s3://${bucket}/${key}: ${problem}` }));
      });
    },
  };
}

export const cloudfrontTrustStoreBundle = bundleRule(
  "cloudfront-trust-store-bundle",
  "CloudFront",
  CLOUDFRONT_BUNDLE,
  "A trust store's bundle object holds only PEM X.509 v3 CA certificates (no blank lines; comments only as '#' lines without '-'), with RSA 2048/3072/4096 or ECDSA P-256/P-384 keys and SHA-256/384/512 signatures.",
  "InvalidArgument (CreateTrustStore / UpdateTrustStore)",
  [SOURCES.cfTrustStores, SOURCES.cfViewerMtls],
  (resources) =>
    ofType(resources, "aws:cloudfront/trustStore:TrustStore").flatMap((store) => {
      const location = store.props.caCertificatesBundleSource?.caCertificatesBundleS3Location;
      return typeof location?.bucket === "string" && typeof location?.key === "string" ? [{ resource: store, bucket: location.bucket, key: location.key }] : [];
    }),
);

export const apigatewayTruststoreBundle = bundleRule(
  "apigateway-truststore-bundle",
  "API Gateway",
  API_GATEWAY_BUNDLE,
  "A custom domain's truststore holds PEM certificates with RSA ≥ 2048 or ECDSA ≥ 256 keys, SHA-256 or stronger signatures, chains of at most 4.",
  "truststoreWarnings on CreateDomainName / UpdateDomainName (the domain is created, clients chaining to a refused certificate fail the handshake)",
  [SOURCES.apigwMtls, SOURCES.apigwMtlsApi],
  (resources) =>
    ofType(resources, "aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName").flatMap((domain) => {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(domain.props.mutualTlsAuthentication?.truststoreUri ?? "");
      return match ? [{ resource: domain, bucket: match[1]!, key: match[2]! }] : [];
    }),
  "API Gateway only warns (truststoreWarnings) about certificates it cannot use; the rule refuses them, the stricter reading, since the clients they anchor would be refused.",
);

export const authorizerIdentityReachesOrigin: AwsDeploymentRule = {
  id: "apigateway-authorizer-identity-sent-by-cloudfront",
  service: "API Gateway + CloudFront",
  scope: "deployment",
  kind: "hard",
  summary: "A REQUEST authorizer behind CloudFront may name as header identity sources only headers the distribution sends to that origin (its custom headers or its origin request policy's headers); a missing identity source is a 401 without the authorizer being called.",
  awsError: "401 Unauthorized on every request (the authorizer is never invoked)",
  sources: [SOURCES.apigwAuthorizer, SOURCES.apigw401, SOURCES.cfCustomHeaders, SOURCES.tfAuthorizer],
  check(resources) {
    const findings: { resource: AwsResource; message: string }[] = [];
    for (const authorizer of ofType(resources, "aws:apigateway/authorizer:Authorizer")) {
      const sources = identitySourcesOf(authorizer.props);
      if (!sources || typeof authorizer.props.restApi !== "string") continue;
      const domains = ofType(resources, "aws:apigateway/basePathMapping:BasePathMapping").filter((m) => m.props.restApi === authorizer.props.restApi).map((m) => m.props.domainName);
      const hosts = new Set(domains.flatMap((d) => [d, ...ofType(resources, "aws:apigateway/domainName:DomainName").filter((x) => x.props.domainName === d).map((x) => x.props.regionalDomainName)]).filter((h): h is string => typeof h === "string"));
      for (const distribution of resources.filter(isDistribution)) {
        for (const origin of originsOf(distribution.props).filter((o) => hosts.has(o.domainName))) {
          const sent = headersSentToOrigin(resources, distribution, origin);
          for (const source of sources) {
            const header = /^method\.request\.(multivalue)?header\.(.+)$/.exec(source)?.[2];
            if (header !== undefined && !sent.has(header.toLowerCase())) {
              findings.push({ resource: authorizer, message: `${label(authorizer)}: identity source ${source} is a header ${distribution.name} does not send to origin ${originIdOf(origin)}; API Gateway answers 401 without calling the authorizer. Use the secret origin header (method.request.header.<Name>)` });
            }
          }
        }
      }
    }
    return findings;
  },
};

export const originClientCertificate: AwsDeploymentRule = {
  id: "cloudfront-origin-client-certificate",
  service: "CloudFront + ACM",
  scope: "deployment",
  kind: "hard",
  summary: "A certificate CloudFront presents to an origin is imported into ACM in us-east-1 with the TLS client authentication EKU, an RSA 2048 or ECDSA P-256 key, a chain of at most 3 certificates and at most 64 KB.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfOriginMtlsAcm, SOURCES.cfOriginMtls],
  check(resources) {
    const used = new Set(resources.filter(isDistribution).flatMap((d) => originsOf(d.props).map((o) => customConfigOf(o)?.originMtlsConfig?.clientCertificateArn)).filter((a): a is string => typeof a === "string"));
    const findings: { resource: AwsResource; message: string }[] = [];
    for (const certificate of ofType(resources, "aws:acm/certificate:Certificate")) {
      const arn = certificate.props.arn;
      if (typeof arn !== "string" || !used.has(arn) || typeof certificate.props.certificateBody !== "string") continue;
      const say = (message: string) => findings.push({ resource: certificate, message: `${label(certificate)}: ${message}` });
      const region = certificate.region ?? arn.split(":")[3];
      if (region !== "us-east-1") say(`used for origin mTLS but in ${region}; CloudFront reads ACM certificates in us-east-1 only`);
      let leaf: X509Certificate;
      try {
        leaf = new X509Certificate(certificate.props.certificateBody);
      } catch {
        say("the certificate body is not a readable certificate");
        continue;
      }
      if (!(leaf.keyUsage ?? []).includes(EKU_OIDS.client_auth)) say("lacks the TLS client authentication extended key usage CloudFront requires for origin mTLS");
      const key = inspectPublicKey(new Uint8Array(leaf.publicKey.export({ format: "der", type: "spki" })), certificate.name).algorithm.name;
      if (key !== "rsa-2048" && key !== "ecdsa-p256") say(`has a ${key} key; origin mTLS accepts RSA 2048 or ECDSA P-256`);
      const chain = typeof certificate.props.certificateChain === "string" ? certificate.props.certificateChain : "";
      const depth = 1 + (chain.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
      if (depth > 3) say(`has a chain of ${depth} certificates; origin mTLS accepts at most 3`);
      if (bytes(certificate.props.certificateBody + chain) > 64 * 1024) say("its certificate and chain exceed 64 KB");
    }
    return findings;
  },
};

export const apigatewayOwnershipVerification: AwsDeploymentRule = {
  id: "apigateway-mtls-ownership-verification",
  service: "API Gateway + ACM",
  scope: "deployment",
  kind: "hard",
  summary: "A mutual TLS custom domain whose certificate is imported (or private) also needs an ACM-issued ownershipVerificationCertificateArn.",
  awsError: "BadRequestException (CreateDomainName)",
  sources: [SOURCES.apigwMtls],
  notOffline: "Only when the imported certificate is declared in the same stack: whether an ARN from config is imported or private is known to ACM alone.",
  check(resources) {
    const imported = new Set(ofType(resources, "aws:acm/certificate:Certificate").filter((c) => typeof c.props.certificateBody === "string").map((c) => c.props.arn));
    return ofType(resources, "aws:apigateway/domainName:DomainName")
      .filter((d) => d.props.mutualTlsAuthentication && imported.has(d.props.regionalCertificateArn) && !d.props.ownershipVerificationCertificateArn)
      .map((d) => ({ resource: d, message: `${label(d)}: mutual TLS with an imported certificate needs ownershipVerificationCertificateArn (an ACM-issued certificate for the same domain)` }));
  },
};

export const caNamePolicyAdmitsRequests: AwsDeploymentRule = {
  id: "ca-name-policy-admits-workload-certificates",
  service: "edge-mtls CA (Lambda)",
  scope: "deployment",
  kind: "hard",
  summary: "When the CA and workload stacks are deployed together, the CA's issuance policy (its ca-issuer environment) admits every certificate the workload stack requests (origin client certificate, smoke-test certificate).",
  awsError: "ca-issuer refusal NAME_NOT_ALLOWED (the workload's pulumi up fails)",
  sources: [SOURCES.caIssuer],
  check(resources) {
    const issuers = ofType(resources, "aws:lambda/function:Function").filter((f) => typeof f.props.environment?.variables?.[CA_ENV.policy] === "string" && /ca-issuer$/.test(String(f.props.name ?? f.name)));
    if (issuers.length === 0) return [];
    const findings: { resource: AwsResource; message: string }[] = [];
    for (const invocation of ofType(resources, "aws:lambda/invocation:Invocation")) {
      let request: any;
      try {
        request = JSON.parse(invocation.props.input);
      } catch {
        continue;
      }
      if (request?.action !== "issue" || typeof request.csrPem !== "string") continue;
      for (const issuer of issuers) {
        const { action: _action, ...issue } = request;
        try {
          validateIssueRequest(issue, readCaConfig(issuer.props.environment.variables).policy);
        } catch (error) {
          findings.push({ resource: invocation, message: `${label(invocation)}: ${issuer.props.name ?? issuer.name} would refuse this certificate: ${(error as { code?: string }).code ?? "ERROR"}: ${(error as Error).message}` });
        }
      }
    }
    return findings;
  },
};

export const DEPLOYMENT_RULES: AwsDeploymentRule[] = [authorizerIdentityReachesOrigin, cloudfrontTrustStoreBundle, apigatewayTruststoreBundle, originClientCertificate, apigatewayOwnershipVerification, caNamePolicyAdmitsRequests];

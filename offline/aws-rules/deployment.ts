import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CA_ENV } from "../../functions/shared/contract";
import { readCaConfig } from "../../functions/shared/ca-config";
import { validateIssueRequest } from "../../pki/issuance-policy";
import { inspectPublicKey, signatureHashOf } from "../../pki/key-algorithms";
import { EKU_OIDS } from "../../pki/profiles";
import { clip } from "../../policies/normalise";
import { identitySourcesOf } from "./api-gateway";
import { behavioursOf, customConfigOf, customHeadersOf, isDistribution, itemsOf, Origin, originIdOf, originsOf } from "./cloudfront-shape";
import { AwsDeploymentRule, AwsResource, bytes, fieldsOf, label, unlessHidden } from "./rule";
import { SOURCES } from "./sources";
import { API_GATEWAY_BUNDLE, BundleProfile, bundleProblems, CLOUDFRONT_BUNDLE } from "./trust-bundle";

const ofType = (resources: readonly AwsResource[], ...types: string[]) => resources.filter((r) => types.includes(r.type));
/** A property of a resource, as text. */
const text = (resource: AwsResource, key: string) => fieldsOf(resource).get(key).text();

/** The content of the S3 object `s3://bucket/key` when the deployment writes it (the bucket given by name or by id). */
export function objectContent(resources: readonly AwsResource[], bucket: string, key: string): string | undefined {
  const buckets = ofType(resources, "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2").filter((b) => text(b, "bucket") === bucket);
  const bucketIds = new Set([bucket, ...buckets.map((b) => text(b, "id")).filter((id): id is string => id !== undefined)]);
  const object = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject").find((o) => text(o, "key") === key && bucketIds.has(text(o, "bucket") ?? ""));
  return object === undefined ? undefined : text(object, "content");
}

/** Headers CloudFront sends to `origin` of `distribution` on every request it forwards there: custom headers, and the headers its origin request policies list. */
export function headersSentToOrigin(resources: readonly AwsResource[], distribution: AwsResource, origin: Origin): Set<string> {
  const sent = new Set(customHeadersOf(distribution, origin).map((h) => h.name.toLowerCase()));
  const id = originIdOf(distribution, origin);
  for (const behaviour of behavioursOf(distribution).filter((b) => b.get("targetOriginId").text() === id)) {
    const policyId = behaviour.get("originRequestPolicyId").text();
    if (policyId === undefined) continue;
    const policy = ofType(resources, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy").find((p) => text(p, "id") === policyId);
    if (policy) for (const header of itemsOf(fieldsOf(policy).get("headersConfig").get("headers"))) sent.add(header.toLowerCase());
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
      const location = fieldsOf(store).get("caCertificatesBundleSource").get("caCertificatesBundleS3Location");
      const [bucket, key] = [location.get("bucket").text(), location.get("key").text()];
      return bucket !== undefined && key !== undefined ? [{ resource: store, bucket, key }] : [];
    }),
  "Not found in AWS text reachable here: the key types (RSA 2048/3072/4096, ECDSA P-256/P-384), signature hashes (SHA-256/384/512) and PEM hygiene (no blank lines, '#' comments without '-') the rule requires of a CloudFront trust store bundle, and any limit on its size, number of certificates or chain depth (the CreateTrustStore API states none). The rule assumes those key types, hashes and PEM rules, and encodes no size, count or depth limit.",
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
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(fieldsOf(domain).get("mutualTlsAuthentication").get("truststoreUri").text() ?? "");
      return match ? [{ resource: domain, bucket: match[1]!, key: match[2]! }] : [];
    }),
  "Stricter than AWS: API Gateway only warns (truststoreWarnings) about certificates it cannot use; the rule refuses them, since the clients they anchor would be refused. Not found in AWS text reachable here: a size limit for the truststore file; the rule encodes none.",
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
      const restApi = text(authorizer, "restApi");
      if (restApi === undefined) continue;
      const sources = identitySourcesOf(fieldsOf(authorizer));
      const domains = ofType(resources, "aws:apigateway/basePathMapping:BasePathMapping").filter((m) => text(m, "restApi") === restApi).map((m) => text(m, "domainName"));
      const hosts = new Set(
        domains
          .flatMap((d) => [d, ...ofType(resources, "aws:apigateway/domainName:DomainName").filter((x) => text(x, "domainName") === d).map((x) => text(x, "regionalDomainName"))])
          .filter((h): h is string => h !== undefined)
          .map((h) => h.toLowerCase()),
      );
      for (const distribution of resources.filter(isDistribution)) {
        for (const origin of originsOf(distribution).filter((o) => o.domain !== undefined && hosts.has(o.domain))) {
          const sent = headersSentToOrigin(resources, distribution, origin);
          for (const source of sources) {
            const header = /^method\.request\.(multivalue)?header\.(.+)$/.exec(source)?.[2];
            if (header !== undefined && !sent.has(header.toLowerCase())) {
              findings.push({ resource: authorizer, message: `${label(authorizer)}: identity source ${clip(source, 120)} is a header ${distribution.name} does not send to ${origin.label}; API Gateway answers 401 without calling the authorizer. Use the secret origin header (method.request.header.<Name>)` });
            }
          }
        }
      }
    }
    return findings;
  },
};

/** RSASSA-PSS (RFC 4055), which CloudFront accepts for origin mTLS certificates with SHA-256/384/512. */
const RSASSA_PSS = "1.2.840.113549.1.1.10";

/** CloudFront origin mTLS: the certificate chain at most 64 KB, the certificate at most 96 KB (KB = 1,024 bytes, as ACM counts). */
export const ORIGIN_MTLS_MAX_CHAIN_BYTES = 64 * 1024;
export const ORIGIN_MTLS_MAX_CERTIFICATE_BYTES = 96 * 1024;

export const originClientCertificate: AwsDeploymentRule = {
  id: "cloudfront-origin-client-certificate",
  service: "CloudFront + ACM",
  scope: "deployment",
  kind: "hard",
  summary: "A certificate CloudFront presents to an origin is imported into ACM in us-east-1: X.509 v3 with the TLS client authentication EKU, an RSA 2048 or ECDSA P-256 key, signed with SHA-256/384/512 (RSA, ECDSA or RSASSA-PSS), a chain of at most 3 certificates (leaf included) and at most 64 KB, the certificate at most 96 KB.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfOriginMtlsAcm, SOURCES.cfOriginMtls],
  disagreement:
    "Not found in AWS text reachable here: whether the page's KB is 1,000 or 1,024 bytes; the rule takes 1,024 (not the stricter 1,000), as ACM's own page counts ('5 KB (5,120 bytes)'); the CA's chains are a few KB either way. ACM's own limits (certificate 32 KB, chain 2 MB) are checked by acm-import-limits. The hash inside an RSASSA-PSS signature's parameters is not checked (this CA never signs with PSS).",
  check(resources) {
    const used = new Set(
      resources
        .filter(isDistribution)
        .flatMap((d) => originsOf(d).map((o) => customConfigOf(d, o).get("originMtlsConfig").get("clientCertificateArn").text()))
        .filter((a): a is string => a !== undefined),
    );
    const findings: { resource: AwsResource; message: string }[] = [];
    for (const certificate of ofType(resources, "aws:acm/certificate:Certificate")) {
      const arn = text(certificate, "arn");
      const body = text(certificate, "certificateBody");
      if (arn === undefined || !used.has(arn) || body === undefined) continue;
      const say = (message: string) => findings.push({ resource: certificate, message: `${label(certificate)}: ${message}` });
      const region = certificate.region ?? arn.split(":")[3];
      if (region !== "us-east-1") say(`used for origin mTLS but in ${clip(region ?? "an unknown region", 40)}; CloudFront reads ACM certificates in us-east-1 only`);
      let leaf: X509Certificate;
      try {
        leaf = new X509Certificate(body);
      } catch {
        say("the certificate body is not a readable certificate");
        continue;
      }
      let parsed: Certificate | undefined;
      try {
        parsed = AsnConvert.parse(leaf.raw, Certificate);
      } catch {
        say("the certificate body is not a readable certificate");
      }
      if (parsed && parsed.tbsCertificate.version !== 2) say("is not an X.509 v3 certificate; origin mTLS requires X.509v3");
      const signature = parsed?.signatureAlgorithm.algorithm ?? "";
      if (parsed && signatureHashOf(signature) === undefined && signature !== RSASSA_PSS) say(`is signed with ${clip(signature, 60)}; origin mTLS accepts SHA-256, SHA-384 or SHA-512 with RSA, ECDSA or RSASSA-PSS`);
      if (!(leaf.keyUsage ?? []).includes(EKU_OIDS.client_auth)) say("lacks the TLS client authentication extended key usage CloudFront requires for origin mTLS");
      let key: string;
      try {
        key = inspectPublicKey(new Uint8Array(leaf.publicKey.export({ format: "der", type: "spki" })), certificate.name).algorithm.name;
      } catch (error) {
        key = `unsupported (${clip((error as Error).message, 120)})`;
      }
      if (key !== "rsa-2048" && key !== "ecdsa-p256") say(`has a ${key} key; origin mTLS accepts RSA 2048 or ECDSA P-256`);
      const chain = text(certificate, "certificateChain") ?? "";
      const depth = 1 + (chain.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
      if (depth > 3) say(`has a chain of ${depth} certificates; origin mTLS accepts at most 3`);
      if (bytes(chain) > ORIGIN_MTLS_MAX_CHAIN_BYTES) say(`its certificate chain is ${bytes(chain)} bytes; origin mTLS accepts at most 64 KB (${ORIGIN_MTLS_MAX_CHAIN_BYTES.toLocaleString("en-US")} bytes)`);
      if (bytes(body) > ORIGIN_MTLS_MAX_CERTIFICATE_BYTES) say(`its certificate is ${bytes(body)} bytes; origin mTLS accepts at most 96 KB (${ORIGIN_MTLS_MAX_CERTIFICATE_BYTES.toLocaleString("en-US")} bytes)`);
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
    const imported = new Set(ofType(resources, "aws:acm/certificate:Certificate").filter((c) => fieldsOf(c).get("certificateBody").exists()).map((c) => text(c, "arn")));
    return ofType(resources, "aws:apigateway/domainName:DomainName")
      .filter((d) => fieldsOf(d).get("mutualTlsAuthentication").exists() && imported.has(text(d, "regionalCertificateArn")) && text(d, "ownershipVerificationCertificateArn") === undefined)
      .map((d) => ({ resource: d, message: `${label(d)}: mutual TLS with an imported certificate needs ownershipVerificationCertificateArn (an ACM-issued certificate for the same domain)` }));
  },
};

export const caNamePolicyAdmitsRequests: AwsDeploymentRule = {
  id: "ca-name-policy-admits-workload-certificates",
  service: "edge-mtls CA (Lambda)",
  scope: "deployment",
  kind: "hard",
  summary:
    "When the CA and workload stacks are deployed together, the CA's issuance policy (its ca-issuer environment) admits every certificate the workload stack requests (origin client certificate, smoke-test certificate). Judged where both programs run together offline (npm test, policy:check --program, the rehearsal): a single stack's export holds the CA's request as a secret.",
  awsError: "ca-issuer refusal NAME_NOT_ALLOWED (the workload's pulumi up fails)",
  sources: [SOURCES.caIssuer],
  check(resources) {
    // The CA's issuers and their issuance policy (never secret: the environment names keys and subjects).
    const issuers = ofType(resources, "aws:lambda/function:Function").flatMap((f) => {
      const name = text(f, "name") ?? f.name;
      if (!/ca-issuer$/.test(name)) return [];
      const variables = unlessHidden(fieldsOf(f).get("environment"), (e) => unlessHidden(e.get("variables"), (v) => v.value));
      if (typeof variables !== "object" || variables === null || typeof (variables as Record<string, unknown>)[CA_ENV.policy] !== "string") return [];
      return [{ name, variables: variables as Record<string, string> }];
    });
    if (issuers.length === 0) return [];
    const findings: { resource: AwsResource; message: string }[] = [];
    for (const invocation of ofType(resources, "aws:lambda/invocation:Invocation")) {
      // The CA invocation's input is secret in an export (it carries an idempotency key); the mocks and the engine see it.
      const input = unlessHidden(fieldsOf(invocation).get("input"), (i) => i.text());
      let request: any;
      try {
        request = JSON.parse(input ?? "");
      } catch {
        continue;
      }
      if (request?.action !== "issue" || typeof request.csrPem !== "string") continue;
      for (const issuer of issuers) {
        const { action: _action, ...issue } = request;
        try {
          validateIssueRequest(issue, readCaConfig(issuer.variables).policy);
        } catch (error) {
          findings.push({ resource: invocation, message: `${label(invocation)}: ${issuer.name} would refuse this certificate: ${(error as { code?: string }).code ?? "ERROR"}: ${clip((error as Error).message, 400)}` });
        }
      }
    }
    return findings;
  },
};

export const DEPLOYMENT_RULES: AwsDeploymentRule[] = [authorizerIdentityReachesOrigin, cloudfrontTrustStoreBundle, apigatewayTruststoreBundle, originClientCertificate, apigatewayOwnershipVerification, caNamePolicyAdmitsRequests];

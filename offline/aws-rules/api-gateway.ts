import { AwsResourceRule, label } from "./rule";
import { SOURCES } from "./sources";

/** The provider's identitySource when a REQUEST or TOKEN authorizer leaves it out (Terraform's default, inherited by @pulumi/aws). */
export const DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization";

/** An authorizer's identity sources, with the provider default applied. */
export function identitySourcesOf(props: Record<string, any>): string[] | undefined {
  const source = props.identitySource;
  if (source === undefined || source === null) return props.type === "REQUEST" || props.type === "TOKEN" || props.type === undefined ? [DEFAULT_IDENTITY_SOURCE] : [];
  if (typeof source !== "string") return undefined;
  return source.split(",").map((s) => s.trim()).filter(Boolean);
}

const IDENTITY_SOURCE = /^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;

export const apigatewayDomainMtls: AwsResourceRule = {
  id: "apigateway-mtls-domain",
  service: "API Gateway",
  scope: "resource",
  kind: "hard",
  summary: "Mutual TLS needs a REGIONAL custom domain with the TLS_1_2 security policy and a truststore URI of the form s3://bucket/key.",
  awsError: "BadRequestException (CreateDomainName / UpdateDomainName)",
  sources: [SOURCES.apigwMtls, SOURCES.apigwMtlsApi],
  resourceTypes: ["aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName"],
  check(resource) {
    const p = resource.props;
    const mtls = p.mutualTlsAuthentication;
    if (!mtls || typeof mtls !== "object") return [];
    const problems: string[] = [];
    const types = p.endpointConfiguration?.types ?? p.domainNameConfiguration?.endpointType;
    const typeList = Array.isArray(types) ? types : typeof types === "string" ? [types] : undefined;
    if (typeList && !(typeList.length === 1 && typeList[0] === "REGIONAL")) problems.push(`${label(resource)}: mutual TLS on a ${typeList.join("/")} endpoint; API Gateway supports it on REGIONAL custom domains only`);
    if (p.regionalCertificateArn === undefined && p.certificateArn !== undefined && p.domainNameConfiguration === undefined) problems.push(`${label(resource)}: mutual TLS needs a regional certificate (regionalCertificateArn), not an edge-optimized one`);
    const policy = p.securityPolicy ?? p.domainNameConfiguration?.securityPolicy;
    if (typeof policy === "string" && policy !== "TLS_1_2") problems.push(`${label(resource)}: securityPolicy ${policy} with mutual TLS; API Gateway requires TLS_1_2`);
    if (typeof mtls.truststoreUri === "string" && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(mtls.truststoreUri)) problems.push(`${label(resource)}: truststoreUri ${mtls.truststoreUri} is not s3://bucket/key`);
    if (mtls.truststoreUri === undefined && !("truststoreUri" in mtls)) problems.push(`${label(resource)}: mutual TLS without a truststoreUri`);
    return problems;
  },
};

export const apigatewayAuthorizerIdentity: AwsResourceRule = {
  id: "apigateway-authorizer-identity-source",
  service: "API Gateway",
  scope: "resource",
  kind: "hard",
  summary: "Identity sources are method.request.header|querystring|multivalueheader|multivaluequerystring.<name>, stageVariables.<name> or context.<name>; a cached REQUEST authorizer needs at least one; an unset one is Authorization (the provider default).",
  awsError: "BadRequestException (CreateAuthorizer)",
  sources: [SOURCES.apigwAuthorizer, SOURCES.tfAuthorizer],
  resourceTypes: ["aws:apigateway/authorizer:Authorizer"],
  check(resource) {
    const sources = identitySourcesOf(resource.props);
    if (!sources) return [];
    const problems = sources.filter((s) => !IDENTITY_SOURCE.test(s)).map((s) => `${label(resource)}: identity source ${s} is not a mapping expression API Gateway accepts (method.request.header.<Name>, …)`);
    const ttl = resource.props.authorizerResultTtlInSeconds;
    if (resource.props.type === "REQUEST" && typeof ttl === "number" && ttl > 0 && resource.props.identitySource === "") problems.push(`${label(resource)}: a REQUEST authorizer with caching (authorizerResultTtlInSeconds ${ttl}) needs an identity source`);
    return problems;
  },
};

export const API_GATEWAY_RULES = [apigatewayDomainMtls, apigatewayAuthorizerIdentity];

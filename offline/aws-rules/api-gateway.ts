import { clip, type Field } from "../../policies/normalise";
import { AwsResourceRule, fieldsOf, label } from "./rule";
import { SOURCES } from "./sources";

/** The provider's identitySource when a REQUEST or TOKEN authorizer leaves it out (Terraform's default, inherited by @pulumi/aws). */
export const DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization";

/** An authorizer's identity sources, with the provider default applied to REQUEST and TOKEN authorizers. */
export function identitySourcesOf(authorizer: Field): string[] {
  const source = authorizer.get("identitySource").text();
  const type = authorizer.get("type").text();
  if (source === undefined) return type === "REQUEST" || type === "TOKEN" || type === undefined ? [DEFAULT_IDENTITY_SOURCE] : [];
  return splitIdentitySources(source);
}

/** The mapping expressions of an identitySource value (comma-separated, as API Gateway takes them). */
export function splitIdentitySources(source: string): string[] {
  return source.split(",").map((s) => s.trim()).filter(Boolean);
}

const IDENTITY_SOURCE = /^(method\.request\.(header|querystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;

export const apigatewayDomainMtls: AwsResourceRule = {
  id: "apigateway-mtls-domain",
  service: "API Gateway",
  scope: "resource",
  kind: "hard",
  summary: "Mutual TLS needs a REGIONAL custom domain with the TLS_1_2 security policy (not TLS_1_0, not an enhanced SecurityPolicy_* policy) and a truststore URI of the form s3://bucket/key.",
  awsError: "BadRequestException (CreateDomainName / UpdateDomainName)",
  sources: [SOURCES.apigwMtls, SOURCES.apigwSecurityPolicy, SOURCES.apigwMtlsApi],
  resourceTypes: ["aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName"],
  check(resource) {
    const p = fieldsOf(resource);
    const mtls = p.get("mutualTlsAuthentication");
    if (!mtls.exists()) return [];
    const problems: string[] = [];
    const v2 = resource.type.startsWith("aws:apigatewayv2/");
    const types = v2 ? p.get("domainNameConfiguration").get("endpointType") : p.get("endpointConfiguration").get("types");
    const typeList = types.value === undefined ? undefined : Array.isArray(types.value) ? types.texts() : [types.text()!];
    if (typeList && !(typeList.length === 1 && typeList[0] === "REGIONAL")) problems.push(`${label(resource)}: mutual TLS on a ${clip(typeList.join("/"), 60)} endpoint; API Gateway supports it on REGIONAL custom domains only`);
    if (!v2 && p.get("regionalCertificateArn").text() === undefined && p.get("certificateArn").text() !== undefined) problems.push(`${label(resource)}: mutual TLS needs a regional certificate (regionalCertificateArn), not an edge-optimized one`);
    const policy = (v2 ? p.get("domainNameConfiguration") : p).get("securityPolicy").text();
    if (policy !== undefined && policy !== "TLS_1_2") {
      const why = policy.startsWith("SecurityPolicy_") ? "API Gateway does not enable mutual TLS on a domain with an enhanced security policy" : "mutual TLS needs TLS 1.2 at least";
      problems.push(`${label(resource)}: securityPolicy ${clip(policy, 60)} with mutual TLS; ${why}: use TLS_1_2`);
    }
    const uri = mtls.get("truststoreUri").text();
    if (uri === undefined) problems.push(`${label(resource)}: mutual TLS without a truststoreUri`);
    else if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(uri)) problems.push(`${label(resource)}: truststoreUri ${clip(uri, 200)} is not s3://bucket/key`);
    return problems;
  },
};

export const apigatewayAuthorizerIdentity: AwsResourceRule = {
  id: "apigateway-authorizer-identity-source",
  service: "API Gateway",
  scope: "resource",
  kind: "hard",
  summary: "Identity sources are method.request.header|querystring.<name>, stageVariables.<name> or context.<name>; a cached REQUEST authorizer needs at least one; an unset one is Authorization (the provider default).",
  awsError: "BadRequestException (CreateAuthorizer)",
  sources: [SOURCES.apigwAuthorizer, SOURCES.apigwLambdaAuthorizer, SOURCES.tfAuthorizer],
  disagreement:
    "Not found in AWS text reachable here: multivalueheader and multivaluequerystring mapping expressions as authorizer identity sources (AWS's text names headers, query strings, stageVariables and $context variables only). The rule refuses them, the stricter reading.",
  resourceTypes: ["aws:apigateway/authorizer:Authorizer"],
  check(resource) {
    const fields = fieldsOf(resource);
    const sources = identitySourcesOf(fields);
    const problems = sources.filter((s) => !IDENTITY_SOURCE.test(s)).map((s) => `${label(resource)}: identity source ${clip(s, 120)} is not a mapping expression API Gateway accepts (method.request.header.<Name>, …)`);
    const ttl = fields.get("authorizerResultTtlInSeconds").number();
    // An empty identitySource reads as absent (the provider then sends its default); a cached REQUEST authorizer with a blank one is refused.
    if (fields.get("type").text() === "REQUEST" && ttl !== undefined && ttl > 0 && sources.length === 0) problems.push(`${label(resource)}: a REQUEST authorizer with caching (authorizerResultTtlInSeconds ${ttl}) needs an identity source`);
    return problems;
  },
};

export const API_GATEWAY_RULES = [apigatewayDomainMtls, apigatewayAuthorizerIdentity];

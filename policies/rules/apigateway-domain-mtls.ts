import { Field } from "../normalise";
import { fieldsOf, ResourceRule } from "./rule";

const REST_DOMAIN = "aws:apigateway/domainName:DomainName";

/** REST API endpoint types: a string in @pulumi/aws 7, a one-entry list in exports of older provider versions. */
function endpointTypes(types: Field): string[] {
  return Array.isArray(types.value) ? types.texts() : [types.text()].filter((t): t is string => t !== undefined);
}

/** Rule 6: API Gateway custom domains require client certificates, regional, TLS 1.2. */
export const apigatewayDomainMtls: ResourceRule = {
  kind: "resource",
  name: "apigateway-domain-mtls",
  description: "API Gateway custom domains must set mutualTlsAuthentication with a truststore URI, a regional endpoint and the TLS 1.2 policy.",
  enforcementLevel: "mandatory",
  resourceTypes: [REST_DOMAIN, "aws:apigatewayv2/domainName:DomainName"],
  check(resource) {
    const p = fieldsOf(resource);
    const problems: string[] = [];
    if (p.get("mutualTlsAuthentication").get("truststoreUri").text() === undefined) {
      problems.push("no mutualTlsAuthentication with a truststoreUri: clients need no certificate; set mutualTlsAuthentication { truststoreUri: s3://bucket/key, truststoreVersion }");
    }
    if (resource.type === REST_DOMAIN) {
      const types = p.get("endpointConfiguration").get("types");
      const listed = endpointTypes(types);
      if (listed.length === 0) problems.push('no endpointConfiguration.types: the default (EDGE) does not support mTLS; set types "REGIONAL"');
      else if (listed.length !== 1 || listed[0] !== "REGIONAL") problems.push(`endpoint type ${types.describe()}: mTLS needs a regional custom domain; set endpointConfiguration.types "REGIONAL"`);
      const policy = p.get("securityPolicy");
      if (policy.text() !== "TLS_1_2") problems.push(`securityPolicy ${policy.exists() ? policy.describe() : "(unset: TLS_1_0)"}; set "TLS_1_2"`);
    } else {
      const config = p.get("domainNameConfiguration");
      const endpointType = config.get("endpointType");
      if (endpointType.text() !== "REGIONAL") problems.push(`domainNameConfiguration.endpointType ${endpointType.describe()}; set "REGIONAL"`);
      const policy = config.get("securityPolicy");
      if (policy.text() !== "TLS_1_2") problems.push(`domainNameConfiguration.securityPolicy ${policy.describe()}; set "TLS_1_2"`);
    }
    return problems;
  },
};

import { ResourceRule } from "./rule";

/** Rule 6: API Gateway custom domains require client certificates, regional, TLS 1.2. */
export const apigatewayDomainMtls: ResourceRule = {
  kind: "resource",
  name: "apigateway-domain-mtls",
  description: "API Gateway custom domains must set mutualTlsAuthentication with a truststore URI, a regional endpoint and the TLS 1.2 policy.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName"],
  check(resource) {
    const p = resource.props;
    const problems: string[] = [];
    const mtls = p.mutualTlsAuthentication;
    if (!mtls || mtls.truststoreUri === "") problems.push("no mutualTlsAuthentication: clients need no certificate; set mutualTlsAuthentication { truststoreUri: s3://bucket/key, truststoreVersion }");
    if (resource.type === "aws:apigateway/domainName:DomainName") {
      const types = p.endpointConfiguration?.types;
      if (types !== undefined && types !== "REGIONAL" && !(Array.isArray(types) && types.length === 1 && types[0] === "REGIONAL")) problems.push(`endpoint type ${JSON.stringify(types)}: mTLS needs a regional custom domain; set endpointConfiguration.types "REGIONAL"`);
      if (p.endpointConfiguration === undefined) problems.push("no endpointConfiguration: the default (EDGE) does not support mTLS; set types \"REGIONAL\"");
      if (p.securityPolicy !== "TLS_1_2") problems.push(`securityPolicy ${JSON.stringify(p.securityPolicy ?? "(unset: TLS_1_0)")}; set "TLS_1_2"`);
    } else {
      const config = p.domainNameConfiguration ?? {};
      if (config.endpointType !== "REGIONAL") problems.push(`domainNameConfiguration.endpointType ${JSON.stringify(config.endpointType)}; set "REGIONAL"`);
      if (config.securityPolicy !== "TLS_1_2") problems.push(`domainNameConfiguration.securityPolicy ${JSON.stringify(config.securityPolicy)}; set "TLS_1_2"`);
    }
    return problems;
  },
};

import { fieldsOf, Finding, StackRule } from "./rule";

const MTLS_DOMAINS = ["aws:apigateway/domainName:DomainName", "aws:apigatewayv2/domainName:DomainName"];
const APIS = ["aws:apigateway/restApi:RestApi", "aws:apigatewayv2/api:Api"];

/** Rule 7: behind an mTLS custom domain, the default execute-api endpoint (no mTLS) must be off. */
export const apigatewayExecuteApiDisabled: StackRule = {
  kind: "stack",
  name: "apigateway-execute-api-disabled",
  description:
    "REST and HTTP APIs in a stack with an mTLS custom domain must disable the default execute-api endpoint, which bypasses mTLS (Amazon API Gateway Developer Guide: How to turn on mutual TLS authentication for your REST APIs, https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html).",
  enforcementLevel: "mandatory",
  check(resources) {
    if (!resources.some((r) => MTLS_DOMAINS.includes(r.type) && fieldsOf(r).get("mutualTlsAuthentication").exists())) return [];
    return resources
      .filter((r) => APIS.includes(r.type) && fieldsOf(r).get("disableExecuteApiEndpoint").flag() !== true)
      .map((r): Finding => ({ resource: r, message: `${r.name}: the default execute-api endpoint accepts requests without a client certificate, around the mTLS custom domain; set disableExecuteApiEndpoint: true` }));
  },
};

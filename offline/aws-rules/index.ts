import { ACM_RULES } from "./acm";
import { API_GATEWAY_RULES } from "./api-gateway";
import { CLOUDFRONT_RULES } from "./cloudfront";
import { DEPLOYMENT_RULES } from "./deployment";
import { LAMBDA_RULES } from "./lambda";
import { NAMING_RULES } from "./naming";
import { S3_RULES } from "./s3";
import { AwsResource, AwsRule, AwsViolation, quotaOf, RaisedQuotas } from "./rule";

export * from "./rule";
export { refusedCustomHeaderReason, REFUSED_CUSTOM_HEADERS, REFUSED_CUSTOM_HEADER_PREFIXES } from "./cloudfront";
export { DEFAULT_IDENTITY_SOURCE, splitIdentitySources } from "./api-gateway";
export { environmentBytes } from "./lambda";
export { LOG_RETENTION_DAYS, rateMinutes, scheduleExpressionProblem } from "./naming";

/**
 * The AWS-rules catalogue: every control-plane constraint the programs and the policy pack rely
 * on, each with its source and the error it prevents. One list, enforced by the offline mocks
 * (offline/aws-rules/enforce.ts), the CrossGuard pack (policies/rules/aws-rules.ts) and
 * `policy:check --state`.
 */
export const AWS_RULES: readonly AwsRule[] = [...CLOUDFRONT_RULES, ...API_GATEWAY_RULES, ...LAMBDA_RULES, ...NAMING_RULES, ...ACM_RULES, ...S3_RULES, ...DEPLOYMENT_RULES];

/** The catalogue's resource rules that apply to `resource`, run: what AWS would refuse about it alone. */
export function resourceViolations(resource: AwsResource, raised: RaisedQuotas = {}, rules: readonly AwsRule[] = AWS_RULES): AwsViolation[] {
  return rules.flatMap((rule) =>
    rule.scope === "resource" && rule.resourceTypes.includes(resource.type)
      ? rule.check(resource, quotaOf(rule, raised)).map((message) => ({ rule: rule.id, awsError: rule.awsError, resource, message, source: rule.sources[0]!.url }))
      : [],
  );
}

/** The catalogue's cross-resource rules over a whole deployment (one stack, or both run together). */
export function deploymentViolations(resources: readonly AwsResource[], raised: RaisedQuotas = {}, rules: readonly AwsRule[] = AWS_RULES): AwsViolation[] {
  return rules.flatMap((rule) =>
    rule.scope === "deployment" ? rule.check(resources, quotaOf(rule, raised)).map(({ resource, message }) => ({ rule: rule.id, awsError: rule.awsError, resource, message, source: rule.sources[0]!.url })) : [],
  );
}

/** One line per violation: the AWS error, what is wrong, and where the rule comes from. */
export function formatViolation(violation: AwsViolation): string {
  return `${violation.awsError}: ${violation.message} [aws-rule ${violation.rule}; ${violation.source}]`;
}

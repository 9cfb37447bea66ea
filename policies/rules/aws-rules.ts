import { AWS_RULES, AwsResource, AwsRule, quotaOf } from "../../offline/aws-rules";
import type { EdgeRule, PolicyResource } from "./rule";

/** The policy name of a catalogue rule. */
export const awsPolicyName = (rule: AwsRule): string => `aws-${rule.id}`;

function toAwsResource(resource: PolicyResource): AwsResource {
  return { type: resource.type, name: resource.name, urn: resource.urn, props: resource.props, region: resource.region };
}

/** The configured raised quota (`quota` in the policy's config), else AWS's default. */
function quota(rule: AwsRule, config: Record<string, unknown> | undefined): number {
  const raised = config?.quota;
  return typeof raised === "number" && Number.isInteger(raised) && raised > 0 ? raised : quotaOf(rule);
}

const sourceNote = (rule: AwsRule) => `${rule.awsError} — ${rule.sources[0]!.url}`;

/**
 * The AWS-rules catalogue as pack rules, one per catalogue rule (`aws-<id>`): hard rules are
 * mandatory, adjustable quotas advisory with the account's raised quota settable as `quota` in the
 * pack's config. Messages carry the AWS error and the source.
 */
export function awsRulesAsPolicies(rules: readonly AwsRule[] = AWS_RULES): EdgeRule[] {
  return rules.map((rule): EdgeRule => {
    const base = {
      name: awsPolicyName(rule),
      description: `AWS refuses it: ${rule.summary} (${rule.awsError}; ${rule.sources[0]!.url})`,
      enforcementLevel: rule.kind === "quota" ? ("advisory" as const) : ("mandatory" as const),
      configProperties: rule.kind === "quota" ? { quota: { type: "integer", minimum: 1, default: rule.defaultQuota, description: `The account's quota, when raised through Service Quotas (AWS default ${rule.defaultQuota}).` } } : undefined,
    };
    if (rule.scope === "resource") {
      return { ...base, kind: "resource", resourceTypes: rule.resourceTypes, check: (resource, config) => rule.check(toAwsResource(resource), quota(rule, config)).map((m) => `${m} (${sourceNote(rule)})`) };
    }
    return {
      ...base,
      kind: "stack",
      check: (resources, config) => {
        const byName = new Map(resources.map((r) => [r, toAwsResource(r)]));
        const back = new Map([...byName].map(([p, a]) => [a, p]));
        return rule.check([...byName.values()], quota(rule, config)).map(({ resource, message }) => ({ resource: back.get(resource)!, message: `${message} (${sourceNote(rule)})` }));
      },
    };
  });
}

/** Every catalogue rule as a pack rule. */
export const AWS_POLICY_RULES: readonly EdgeRule[] = awsRulesAsPolicies();

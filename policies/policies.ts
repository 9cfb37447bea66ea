import type { PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

/** A policy of the pack. */
export type EdgePolicy = ResourceValidationPolicy | StackValidationPolicy;
import type { EdgeRule, PolicyResource } from "./rules/rule";
import { RULES } from "./rules";

/** An exemption: a resource (URN or logical name), optionally one rule, and why. */
export interface Exemption {
  readonly resource: string;
  readonly justification: string;
}

/** Each policy's config: its exemptions (its enforcement level is set the standard way). */
export interface PolicyConfig {
  readonly exemptions?: readonly Exemption[];
}

const CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    exemptions: {
      type: "array",
      description: "Resources (URN or logical name) this policy does not apply to, each with the reason.",
      items: {
        type: "object",
        properties: { resource: { type: "string", minLength: 1 }, justification: { type: "string", minLength: 10 } },
        required: ["resource", "justification"],
      },
    },
  },
};

function exempt(resource: { urn: string; name: string }, config: PolicyConfig): boolean {
  return (config.exemptions ?? []).some((e) => e.resource === resource.urn || e.resource === resource.name);
}

type EngineResource = { type: string; props: Record<string, any>; urn: string; name: string; provider?: { props: Record<string, any> } };

/** The rules' view of a resource given by the policy engine (or the offline checker, which builds the same args). */
export function toPolicyResource(resource: EngineResource): PolicyResource {
  const region = resource.provider?.props?.region ?? resource.props.region;
  return { type: resource.type, name: resource.name, urn: resource.urn, props: resource.props, outputs: resource.props, region: typeof region === "string" ? region : undefined };
}

/** The @pulumi/policy policy (or policies: a stack rule's unresolvable findings go to an advisory twin) for a rule. */
export function toPolicies(rule: EdgeRule): EdgePolicy[] {
  const configSchema: PolicyConfigSchema = rule.configProperties ? { properties: { ...CONFIG_SCHEMA.properties, ...rule.configProperties } } : CONFIG_SCHEMA;
  if (rule.kind === "resource") {
    return [
      {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
          if (!rule.resourceTypes.includes(args.type) || exempt(args, args.getConfig<PolicyConfig>())) return;
          for (const message of rule.check(toPolicyResource(args), args.getConfig<Record<string, unknown>>())) report(message);
        },
      },
    ];
  }
  const stackPolicy = (name: string, description: string, advisory: boolean): StackValidationPolicy => ({
    name,
    description,
    enforcementLevel: advisory ? "advisory" : rule.enforcementLevel,
    configSchema,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const config = args.getConfig<PolicyConfig>();
      for (const finding of rule.check(args.resources.map(toPolicyResource), config as Record<string, unknown>)) {
        if (!!finding.advisory === advisory && !exempt(finding.resource, config)) report(finding.message, finding.resource.urn);
      }
    },
  });
  return [stackPolicy(rule.name, rule.description, false), stackPolicy(`${rule.name}-unresolved`, `${rule.description} (findings about resources outside the stack)`, true)];
}

/** Every policy the pack registers and the offline checker evaluates: one list. */
export const POLICIES: readonly EdgePolicy[] = RULES.flatMap(toPolicies);

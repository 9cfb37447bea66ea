/**
 * The shape of the AWS-rules catalogue: constraints AWS's control plane enforces on what the
 * programs declare, each with the AWS page it comes from and the error it prevents. Pure data and
 * functions: no Pulumi, no mocks, so the mocks, the policy pack and the state checker share it.
 * Rules read properties the way the pack's rules do, through `Field` (policies/normalise.ts): a
 * value of the wrong shape is "cannot read" (`UnreadableValueError`), never a crash.
 */
import { clip, Field } from "../../policies/normalise";

/** A resource as every enforcement point sees it: type, logical name, properties (inputs over outputs). */
export interface AwsResource {
  readonly type: string;
  /** Logical (Pulumi) name. */
  readonly name: string;
  /** The resource's URN (the mocks make one from type and name). */
  readonly urn: string;
  /** Inputs, with outputs underneath where known. Read them through {@link fieldsOf}. */
  readonly props: Record<string, any>;
  /** Region the resource is created in, when known (its provider's). */
  readonly region?: string;
  /**
   * True when the props hold only what the program declared (the offline mocks): a name the
   * program leaves out is then made by Pulumi's auto-naming (logical name + "-" + 7 random
   * characters), which the name rules check in its place. Stack exports and previews carry the
   * provider's real name.
   */
  readonly declaredOnly?: boolean;
}

/** How a rule's `disagreement` note starts: the kind of caveat it records. */
export const CAVEAT_KINDS = ["Sources disagree:", "Not found in AWS text reachable here:", "Stricter than AWS:"] as const;

/** Where a fact comes from: a page title and its URL. */
export interface Source {
  readonly title: string;
  readonly url: string;
}

/** Raised quotas, by rule id (the account's Service Quotas values); absent: the AWS default. */
export type RaisedQuotas = Readonly<Record<string, number>>;

/** What a rule found wrong with one resource. */
export interface AwsViolation {
  readonly rule: string;
  readonly awsError: string;
  readonly resource: AwsResource;
  readonly message: string;
  readonly source: string;
}

interface AwsRuleBase {
  /** kebab-case, stable: the pack's policy is `aws-<id>`, config and docs name it. */
  readonly id: string;
  readonly service: string;
  /** What AWS requires, in one sentence. */
  readonly summary: string;
  /** The error AWS answers with (API error code, or the runtime symptom). */
  readonly awsError: string;
  readonly sources: readonly Source[];
  /** `hard`: AWS always refuses. `quota`: an adjustable default (Service Quotas), the raised value settable. */
  readonly kind: "hard" | "quota";
  /** The default quota, for `quota` rules. */
  readonly defaultQuota?: number;
  /**
   * What AWS's text leaves open, and the reading the rule takes (the stricter one). Starts with
   * one of {@link CAVEAT_KINDS}: "Sources disagree: …" (what each says), "Not found in AWS text
   * reachable here: …" (what the rule assumes), or "Stricter than AWS: …" (why).
   */
  readonly disagreement?: string;
  /** Set when no resource the mocks see can break the rule (data-plane limits, facts only AWS knows). */
  readonly notOffline?: string;
}

/** A rule about single resources of some types. */
export interface AwsResourceRule extends AwsRuleBase {
  readonly scope: "resource";
  readonly resourceTypes: readonly string[];
  /** Problems with `resource` (empty: fine). `quota` is the effective quota for quota rules. */
  check(resource: AwsResource, quota: number): string[];
}

/** A rule about resources that refer to each other (checked when a program run completes). */
export interface AwsDeploymentRule extends AwsRuleBase {
  readonly scope: "deployment";
  /** Problems in the deployment, each on one resource. */
  check(resources: readonly AwsResource[], quota: number): { resource: AwsResource; message: string }[];
}

export type AwsRule = AwsResourceRule | AwsDeploymentRule;

/** The effective quota of a rule: the raised value when one is configured, else AWS's default. */
export function quotaOf(rule: AwsRule, raised: RaisedQuotas = {}): number {
  return raised[rule.id] ?? rule.defaultQuota ?? 0;
}

/** A resource's props, read through the pack's one reader. */
export function fieldsOf(resource: AwsResource): Field {
  return Field.of(resource);
}

/**
 * The value of a field AWS limits but an export may hold as a secret (the origin secret, private
 * keys, a function's environment, a CA invocation's input): `undefined` when hidden. These are
 * judged where they are plaintext, by the offline mocks and under the policy engine; a stack
 * export describes resources AWS has already accepted, so the offline checker lets them pass.
 */
export function unlessHidden<T>(field: Field, read: (field: Field) => T): T | undefined {
  return field.isHidden() ? undefined : read(field);
}

/** The physical name of a resource's `field` (e.g. `name`, `bucket`): declared, or what auto-naming makes. */
export function physicalName(resource: AwsResource, field = "name", prefixField = "namePrefix"): string | undefined {
  const fields = fieldsOf(resource);
  const value = fields.get(field).text();
  if (value !== undefined) return value;
  if (!resource.declaredOnly) return undefined;
  const prefix = fields.get(prefixField).text();
  // Pulumi auto-naming: logical name, "-", 7 random characters; a name prefix gets 26 (Terraform's unique id).
  if (prefix !== undefined) return prefix + "0".repeat(26);
  return `${resource.name}-${"0".repeat(7)}`;
}

/** `length` UTF-8 bytes of a string. */
export function bytes(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** Names a resource in a message. */
export function label(resource: AwsResource): string {
  return `${clip(resource.type.split(":").pop() ?? "", 80)} ${clip(resource.name, 120)}`;
}

/** A rule checking one name field against a length range and a character set. */
export function nameRule(args: {
  id: string;
  service: string;
  resourceTypes: readonly string[];
  field?: string;
  what: string;
  min: number;
  max: number;
  pattern: RegExp;
  allowed: string;
  awsError: string;
  sources: readonly Source[];
  extra?: (name: string) => string | undefined;
  prefixMax?: number;
  disagreement?: string;
}): AwsResourceRule {
  const field = args.field ?? "name";
  return {
    id: args.id,
    service: args.service,
    scope: "resource",
    kind: "hard",
    summary: `${args.what}: ${args.min}–${args.max} characters, ${args.allowed}${args.prefixMax ? `; a name prefix at most ${args.prefixMax}` : ""}.`,
    awsError: args.awsError,
    sources: args.sources,
    disagreement: args.disagreement,
    resourceTypes: args.resourceTypes,
    check(resource) {
      const problems: string[] = [];
      const prefix = fieldsOf(resource).get("namePrefix").text();
      if (args.prefixMax !== undefined && prefix !== undefined && prefix.length > args.prefixMax) {
        problems.push(`${label(resource)}: namePrefix "${clip(prefix, 120)}" has ${prefix.length} characters; at most ${args.prefixMax} (the provider appends 26)`);
      }
      const name = physicalName(resource, field);
      if (name === undefined) return problems;
      if (name.length < args.min || name.length > args.max) problems.push(`${label(resource)}: ${args.what} "${clip(name, 120)}" has ${name.length} characters; allowed ${args.min}–${args.max}`);
      else if (!args.pattern.test(name)) problems.push(`${label(resource)}: ${args.what} "${clip(name, 120)}" has characters AWS refuses; allowed: ${args.allowed}`);
      else {
        const extra = args.extra?.(name);
        if (extra) problems.push(`${label(resource)}: ${args.what} "${clip(name, 120)}" ${extra}`);
      }
      return problems;
    },
  };
}

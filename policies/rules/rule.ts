/** A resource as the rules see it: from the policy engine, a stack export, or a mocked run. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** Inputs (what the program asked for). Unknown values (previews) are undefined. */
  readonly props: Record<string, any>;
  /** Outputs, when known (stack exports): ids, ARNs, computed names. */
  readonly outputs?: Record<string, any>;
  /** Region the resource is created in (its provider's), when known. */
  readonly region?: string;
}

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** A finding of one rule: on which resource, what is wrong and how to fix it, and how strongly (advisory when the rule cannot be sure). */
export interface Finding {
  readonly resource: PolicyResource;
  readonly message: string;
  /** A rule may downgrade a finding it cannot confirm (e.g. an origin it cannot resolve in the stack). */
  readonly advisory?: boolean;
}

interface RuleBase {
  /** kebab-case, stable: config and exemptions name it. */
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  /** Settings of the rule beyond exemptions (JSON schema properties), read from the pack's config and passed to `check`. */
  readonly configProperties?: Record<string, object>;
}

/** A rule about single resources of some types. */
export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly resourceTypes: readonly string[];
  check(resource: PolicyResource, config?: Record<string, unknown>): string[];
}

/** A rule about the stack as a whole (resources that refer to each other). */
export interface StackRule extends RuleBase {
  readonly kind: "stack";
  check(resources: readonly PolicyResource[], config?: Record<string, unknown>): Finding[];
}

export type EdgeRule = ResourceRule | StackRule;

export const DISTRIBUTION_TYPES = ["aws:cloudfront/distribution:Distribution", "aws:cloudfront/multitenantDistribution:MultitenantDistribution"] as const;

/** The origins of a distribution (Distribution: `origins`; MultitenantDistribution: `origins` too). */
export function originsOf(props: Record<string, any>): Record<string, any>[] {
  const origins = props.origins ?? props.origin ?? [];
  return Array.isArray(origins) ? origins : [];
}

/** Every cache behaviour: the default and the ordered ones. */
export function behavioursOf(props: Record<string, any>): Record<string, any>[] {
  const ordered = props.orderedCacheBehaviors ?? props.cacheBehaviors ?? [];
  return [props.defaultCacheBehavior, ...(Array.isArray(ordered) ? ordered : [])].filter(Boolean);
}

/** An origin's custom-origin settings: `customOriginConfig` (Distribution) or the first of `customOriginConfigs` (MultitenantDistribution). */
export function customConfigOf(origin: Record<string, any>): Record<string, any> | undefined {
  return origin.customOriginConfig ?? (Array.isArray(origin.customOriginConfigs) ? origin.customOriginConfigs[0] : undefined);
}

/** A label for an origin in messages. */
export function originLabel(origin: Record<string, any>): string {
  return `origin ${origin.originId ?? origin.id ?? "?"} (${origin.domainName ?? "unknown domain"})`;
}

/** S3 REST endpoint domains (bucket.s3.amazonaws.com, bucket.s3.<region>.amazonaws.com, …). */
export const S3_REST_DOMAIN = /^([a-z0-9.-]+)\.s3(\.dualstack)?(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
/** S3 website endpoints, which cannot use Origin Access Control. */
export const S3_WEBSITE_DOMAIN = /\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** True when the origin is an S3 origin (REST endpoint or s3OriginConfig/OAC), website endpoints included. */
export function isS3Origin(origin: Record<string, any>): boolean {
  const domain = typeof origin.domainName === "string" ? origin.domainName : "";
  return !!origin.s3OriginConfig || S3_REST_DOMAIN.test(domain) || S3_WEBSITE_DOMAIN.test(domain);
}

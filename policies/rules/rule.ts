import { classifyDomain, clip, DomainKind, Field } from "../normalise";

/** A resource as the rules see it: from the policy engine, a stack export, or a mocked run. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /**
   * Inputs (what the program asked for) over outputs (ids, ARNs, computed names). Read them with
   * `fieldsOf` (policies/normalise.ts): a preview's unknown values throw the engine's
   * UnknownValueError when read, and the engine reports the policy as not runnable yet.
   */
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

/** CloudFront distribution types: the ones whose origins and behaviours the pack reads. */
export const DISTRIBUTION_TYPES = ["aws:cloudfront/distribution:Distribution", "aws:cloudfront/multitenantDistribution:MultitenantDistribution"] as const;

const MULTITENANT = "aws:cloudfront/multitenantDistribution:MultitenantDistribution";

/** True for a CloudFront distribution (standard or multi-tenant). */
export function isDistribution(resource: PolicyResource): boolean {
  return (DISTRIBUTION_TYPES as readonly string[]).includes(resource.type);
}

/** A resource's props, read through the pack's one reader (see policies/normalise.ts). */
export function fieldsOf(resource: PolicyResource): Field {
  return Field.of(resource);
}

/** One origin of a distribution: its field, how messages name it, its normalised domain and what that domain is. */
export interface Origin {
  readonly field: Field;
  readonly label: string;
  readonly domain?: string;
  readonly target: DomainKind;
}

/**
 * The origins of a distribution (`origins`, on both types). What an origin is comes from its domain,
 * never from which config block it carries: an origin with `s3OriginConfig` whose domain is not an
 * S3 REST endpoint is a custom origin, which CloudFront reaches without a client certificate.
 */
export function originsOf(distribution: PolicyResource): Origin[] {
  const origins = fieldsOf(distribution).get("origins");
  const entries = origins.items();
  // A Distribution needs at least one origin; an export without any says nothing the rules can judge.
  if (entries.length === 0 && distribution.type !== MULTITENANT) throw origins.unreadable("is empty; a distribution has at least one origin");
  return entries.map((origin) => {
    if (!origin.exists()) throw origin.unreadable("is empty where an origin belongs");
    const domain = origin.get("domainName").domain();
    const id = origin.get(distribution.type === MULTITENANT ? "id" : "originId").text();
    const target = domain === undefined ? ({ kind: "other" } as const) : classifyDomain(domain);
    return { field: origin, label: `origin ${clip(id ?? "?", 80)} (${clip(domain ?? "unknown domain", 120)})`, domain, target };
  });
}

/** True for an origin that is an S3 bucket (REST or website endpoint): the S3 rules judge it, the custom-origin rules do not. */
export function isS3Origin(origin: Origin): boolean {
  return origin.target.kind === "s3-rest" || origin.target.kind === "s3-website";
}

/**
 * An origin's custom-origin settings: `customOriginConfig` on a Distribution, the one entry of
 * `customOriginConfigs` on a MultitenantDistribution (more than one cannot be judged). Absent when
 * there are none.
 */
export function customConfigOf(distribution: PolicyResource, origin: Origin): Field {
  if (distribution.type !== MULTITENANT) return origin.field.get("customOriginConfig");
  const configs = origin.field.get("customOriginConfigs");
  const entries = configs.items();
  if (entries.length > 1) throw configs.unreadable(`has ${entries.length} entries; CloudFront takes one custom origin config per origin`);
  return entries[0] ?? configs;
}

/** Every cache behaviour: the default and the ordered ones (`orderedCacheBehaviors`; `cacheBehaviors` on a MultitenantDistribution). */
export function behavioursOf(distribution: PolicyResource): Field[] {
  const fields = fieldsOf(distribution);
  const ordered = fields.get(distribution.type === MULTITENANT ? "cacheBehaviors" : "orderedCacheBehaviors").items();
  for (const behaviour of ordered) if (!behaviour.exists()) throw behaviour.unreadable("is empty where a cache behaviour belongs");
  const byDefault = fields.get("defaultCacheBehavior");
  return byDefault.exists() ? [byDefault, ...ordered] : ordered;
}

/** The ids a resource is referred to by: its ARN and its id (a load balancer's id is its ARN). */
export function idsOf(resource: PolicyResource): string[] {
  const fields = fieldsOf(resource);
  return [fields.get("arn").text(), fields.get("id").text()].filter((id): id is string => id !== undefined);
}

/** S3 bucket types. */
export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** The names a bucket is known by in this stack: its name, its id, the name in its ARN, its domain names (normalised). */
export function bucketNamesOf(bucket: PolicyResource): Set<string> {
  const fields = fieldsOf(bucket);
  const fromArn = fields.get("arn").text()?.match(/^arn:[^:]+:s3:::([^/]+)$/)?.[1];
  const names = [fields.get("bucket").text(), fields.get("id").text(), fromArn].filter((n): n is string => n !== undefined).map((n) => n.toLowerCase());
  const domains = [fields.get("bucketRegionalDomainName").domain(), fields.get("bucketDomainName").domain()].filter((d): d is string => d !== undefined);
  return new Set([...names, ...domains]);
}

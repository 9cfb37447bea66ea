/** Reading CloudFront distribution properties the way both Distribution and MultitenantDistribution spell them. */

export const DISTRIBUTION_TYPES = ["aws:cloudfront/distribution:Distribution", "aws:cloudfront/multitenantDistribution:MultitenantDistribution"] as const;

/** The origins of a distribution. */
export function originsOf(props: Record<string, any>): Record<string, any>[] {
  const origins = props.origins ?? props.origin ?? [];
  return Array.isArray(origins) ? origins.filter((o) => o && typeof o === "object") : [];
}

/** Every cache behaviour: the default and the ordered ones. */
export function behavioursOf(props: Record<string, any>): Record<string, any>[] {
  const ordered = props.orderedCacheBehaviors ?? props.cacheBehaviors ?? [];
  return [props.defaultCacheBehavior, ...(Array.isArray(ordered) ? ordered : [])].filter((b) => b && typeof b === "object");
}

/** An origin's id (Distribution: originId; MultitenantDistribution: id). */
export function originIdOf(origin: Record<string, any>): string | undefined {
  return origin.originId ?? origin.id;
}

/** An origin's custom-origin settings. */
export function customConfigOf(origin: Record<string, any>): Record<string, any> | undefined {
  return origin.customOriginConfig ?? (Array.isArray(origin.customOriginConfigs) ? origin.customOriginConfigs[0] : undefined);
}

/** An origin's custom headers as { name, value } pairs (unknown entries left out). */
export function customHeadersOf(origin: Record<string, any>): { name: string; value?: string }[] {
  const headers = origin.customHeaders ?? origin.customHeader ?? [];
  return (Array.isArray(headers) ? headers : []).filter((h) => h && typeof h.name === "string").map((h) => ({ name: h.name, value: typeof h.value === "string" ? h.value : undefined }));
}

/** The items of a policy's headers/cookies/query strings list (`{ items: [...] }`). */
export function itemsOf(list: unknown): string[] {
  const items = (list as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.filter((i): i is string => typeof i === "string") : [];
}

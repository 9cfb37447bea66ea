import { clip, type Field } from "../../policies/normalise";
import { behavioursOf, customConfigOf, customHeadersOf, DISTRIBUTION_TYPES, itemsOf, originsOf } from "./cloudfront-shape";
import { AwsResource, AwsResourceRule, bytes, fieldsOf, label, nameRule } from "./rule";
import { SOURCES } from "./sources";

/** Header names CloudFront refuses to add to origin requests (besides the X-Amz- and X-Edge- prefixes). */
export const REFUSED_CUSTOM_HEADERS = [
  "Cache-Control", "Connection", "Content-Length", "Cookie", "Host", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since",
  "Max-Forwards", "Pragma", "Proxy-Authorization", "Proxy-Connection", "Range", "Request-Range", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Via", "X-Real-Ip",
] as const;
/** Prefixes CloudFront reserves for itself. */
export const REFUSED_CUSTOM_HEADER_PREFIXES = ["X-Amz-", "X-Edge-"] as const;

/** Why CloudFront would refuse `name` as a custom origin header (undefined: it accepts it). */
export function refusedCustomHeaderReason(name: string): string | undefined {
  const lower = name.toLowerCase();
  const prefix = REFUSED_CUSTOM_HEADER_PREFIXES.find((p) => lower.startsWith(p.toLowerCase()));
  if (prefix) return `CloudFront reserves the ${prefix} prefix`;
  const fixed = REFUSED_CUSTOM_HEADERS.find((h) => h.toLowerCase() === lower);
  if (fixed) return `CloudFront does not let ${fixed} be set as a custom origin header`;
  return undefined;
}

/** Every origin of a distribution with its custom headers. */
const originHeaders = (distribution: AwsResource) => originsOf(distribution).map((origin) => ({ origin, headers: customHeadersOf(distribution, origin) }));

export const cloudfrontCustomHeaderName: AwsResourceRule = {
  id: "cloudfront-origin-custom-header-name",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Custom origin headers may not start with X-Amz- or X-Edge- nor be one of the headers CloudFront owns (Cache-Control, Connection, Content-Length, Cookie, Host, If-*, Max-Forwards, Pragma, Proxy-*, Range, Request-Range, TE, Trailer, Transfer-Encoding, Upgrade, Via, X-Real-Ip).",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfCustomHeaders],
  disagreement: "Not found in AWS text reachable here: the current page's list past If-Modified-Since (its opening matches, name for name); the rest of the list is from AWS's 2023 source of the same page.",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    return originHeaders(resource).flatMap(({ origin, headers }) =>
      headers.flatMap((h) => {
        const reason = refusedCustomHeaderReason(h.name);
        return reason ? [`${label(resource)}: ${origin.label} custom header ${clip(h.name, 80)}: ${reason}; use a name such as X-Origin-Verify`] : [];
      }),
    );
  },
};

export const cloudfrontCustomHeaderSize: AwsResourceRule = {
  id: "cloudfront-origin-custom-header-size",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "A custom origin header name is at most 256 characters, a value at most 1,783, and all names and values of the distribution's origins together at most 10,240.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfQuotas, SOURCES.cfGeneralReference],
  disagreement: "Not found in AWS text reachable here: whether the 10,240-character total of names and values counts per origin or per distribution (the quotas page says neither). The rule counts all origins of a distribution together, the stricter reading.",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const problems: string[] = [];
    let total = 0;
    for (const { origin, headers } of originHeaders(resource)) {
      for (const h of headers) {
        total += h.name.length + (h.value?.length ?? 0);
        if (h.name.length > 256) problems.push(`${label(resource)}: ${origin.label} custom header name ${clip(h.name, 40)} has ${h.name.length} characters; at most 256`);
        if ((h.value?.length ?? 0) > 1783) problems.push(`${label(resource)}: ${origin.label} custom header ${clip(h.name, 80)} has a ${h.value!.length}-character value; at most 1,783`);
      }
    }
    if (total > 10240) problems.push(`${label(resource)}: the custom headers of its origins total ${total} characters; at most 10,240`);
    return problems;
  },
};

export const cloudfrontCustomHeaderCount: AwsResourceRule = {
  id: "cloudfront-origin-custom-headers",
  service: "CloudFront",
  scope: "resource",
  kind: "quota",
  defaultQuota: 10,
  summary: "At most 10 custom origin headers, counted over all origins of a distribution (adjustable by a quota request).",
  awsError: "TooManyOriginCustomHeaders (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfQuotas, SOURCES.cfCustomHeadersApi],
  disagreement:
    "Not found in AWS text reachable here: whether the quota of 10 counts per origin or per distribution. The quotas page says 'custom headers that you can configure CloudFront to add to origin requests'; the API's CustomHeaders is the list 'for each origin' but its Quantity is 'for this distribution'. The rule counts all origins together, the stricter reading.",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource, quota) {
    const perOrigin = originHeaders(resource).filter(({ headers }) => headers.length > 0);
    const count = perOrigin.reduce((sum, { headers }) => sum + headers.length, 0);
    return count > quota ? [`${label(resource)} has ${count} custom origin headers (${clip(perOrigin.map(({ origin, headers }) => `${origin.label}: ${headers.length}`).join(", "), 300)}); the quota is ${quota}`] : [];
  },
};

/** Quota rules on the lists of an origin request or cache policy. */
function policyListRule(policy: "origin request" | "cache", list: "headers" | "cookies" | "query strings", awsError: string): AwsResourceRule {
  const type = policy === "origin request" ? "aws:cloudfront/originRequestPolicy:OriginRequestPolicy" : "aws:cloudfront/cachePolicy:CachePolicy";
  const [configKey, listKey] = { headers: ["headersConfig", "headers"], cookies: ["cookiesConfig", "cookies"], "query strings": ["queryStringsConfig", "queryStrings"] }[list];
  return {
    id: `cloudfront-${policy.replace(" ", "-")}-policy-${list.replace(" ", "-")}`,
    service: "CloudFront",
    scope: "resource",
    kind: "quota",
    defaultQuota: 10,
    summary: `At most 10 ${list} in a${policy === "origin request" ? "n" : ""} ${policy} policy (adjustable by a quota request).`,
    awsError,
    sources: [SOURCES.cfQuotas, ...(policy === "origin request" ? [SOURCES.cfOriginRequestPolicyApi] : [])],
    resourceTypes: [type],
    check(resource, quota) {
      const fields = fieldsOf(resource);
      const holder = policy === "cache" ? fields.get("parametersInCacheKeyAndForwardedToOrigin") : fields;
      const items = itemsOf(holder.get(configKey!).get(listKey!));
      return items.length > quota ? [`${label(resource)} lists ${items.length} ${list} (${clip(items.join(", "), 400)}); the quota is ${quota}: forward only what the origin reads`] : [];
    },
  };
}

export const policyListQuotas: AwsResourceRule[] = [
  policyListRule("origin request", "headers", "TooManyHeadersInOriginRequestPolicy"),
  policyListRule("origin request", "cookies", "TooManyCookiesInOriginRequestPolicy"),
  policyListRule("origin request", "query strings", "TooManyQueryStringsInOriginRequestPolicy"),
  policyListRule("cache", "headers", "TooManyHeadersInCachePolicy"),
  policyListRule("cache", "cookies", "TooManyCookiesInCachePolicy"),
  policyListRule("cache", "query strings", "TooManyQueryStringsInCachePolicy"),
];

export const cloudfrontCacheBehaviors: AwsResourceRule = {
  id: "cloudfront-cache-behaviors-per-distribution",
  service: "CloudFront",
  scope: "resource",
  kind: "quota",
  defaultQuota: 75,
  summary: "At most 75 cache behaviours per distribution (adjustable by a quota request).",
  awsError: "TooManyCacheBehaviors",
  sources: [SOURCES.cfQuotas, SOURCES.cfGeneralReference],
  disagreement:
    "Sources disagree: an older copy of the General Reference's CloudFront quotas table says 25 cache behaviours per distribution; the current quotas page and the current General Reference table (its zh_cn copy) say 75. The rule takes 75, the current value of both; an account held to 25 sets quota: 25 in the pack's config.",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource, quota) {
    const count = behavioursOf(resource).length - (fieldsOf(resource).get("defaultCacheBehavior").exists() ? 1 : 0);
    return count > quota ? [`${label(resource)} has ${count} cache behaviours; the quota is ${quota}`] : [];
  },
};

/** How a behaviour is named in messages. */
const behaviourLabel = (behaviour: Field) => `behaviour ${clip(behaviour.get("pathPattern").text() ?? "default", 80)}`;

export const cloudfrontViewerMtls: AwsResourceRule = {
  id: "cloudfront-viewer-mtls-requirements",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Viewer mTLS needs mode required or optional with a trust store, HTTP/3 off, and no behaviour that allows plain HTTP.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfViewerMtls, SOURCES.cfTrustStores],
  resourceTypes: ["aws:cloudfront/distribution:Distribution"],
  check(resource) {
    const fields = fieldsOf(resource);
    const mtls = fields.get("viewerMtlsConfig");
    if (!mtls.exists()) return [];
    const problems: string[] = [];
    const mode = mtls.get("mode").text();
    if (mode !== undefined && !["required", "optional"].includes(mode)) problems.push(`${label(resource)}: viewerMtlsConfig.mode ${clip(mode, 40)}; CloudFront accepts required or optional`);
    if (mtls.get("trustStoreConfig").get("trustStoreId").text() === undefined) problems.push(`${label(resource)}: viewer mTLS without a trust store (viewerMtlsConfig.trustStoreConfig.trustStoreId)`);
    const httpVersion = fields.get("httpVersion").text();
    if (httpVersion !== undefined && /3/.test(httpVersion)) problems.push(`${label(resource)}: httpVersion ${clip(httpVersion, 40)} with viewer mTLS; HTTP/3 is not available with mTLS (use http2)`);
    for (const behaviour of behavioursOf(resource)) {
      if (behaviour.get("viewerProtocolPolicy").text() === "allow-all") problems.push(`${label(resource)}: ${behaviourLabel(behaviour)} allows plain HTTP with viewer mTLS; use https-only or redirect-to-https`);
    }
    return problems;
  },
};

/** Distinct origin mTLS certificate ARNs one CreateDistribution / UpdateDistribution call may add or modify. */
export const MAX_ORIGIN_MTLS_CERTIFICATES_PER_CALL = 5;

export const cloudfrontOriginMtls: AwsResourceRule = {
  id: "cloudfront-origin-mtls-requirements",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Origin mTLS is for custom origins over HTTPS, with a client certificate imported into ACM in us-east-1; one CreateDistribution or UpdateDistribution call adds or modifies at most 5 distinct origin mTLS certificate ARNs.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfOriginMtls, SOURCES.cfOriginMtlsAcm],
  notOffline: "An UpdateDistribution that adds or modifies more than 5 certificate ARNs against the deployed distribution is known only against its deployed configuration; offline, a distribution whose origins use more than 5 distinct ARNs (it cannot be created in one call) is refused.",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const problems: string[] = [];
    const arns = new Set<string>();
    for (const origin of originsOf(resource)) {
      const custom = customConfigOf(resource, origin);
      const mtls = custom.get("originMtlsConfig");
      if (!mtls.exists()) continue;
      const arn = mtls.get("clientCertificateArn").text();
      if (arn !== undefined && !/^arn:aws[a-z-]*:acm:us-east-1:\d+:certificate\/.+/.test(arn)) problems.push(`${label(resource)}: ${origin.label} client certificate ${clip(arn, 200)} is not an ACM certificate in us-east-1`);
      const protocol = custom.get("originProtocolPolicy").text();
      if (protocol !== undefined && protocol !== "https-only") problems.push(`${label(resource)}: ${origin.label} uses origin mTLS with originProtocolPolicy ${clip(protocol, 40)}; it needs https-only`);
      if (arn !== undefined) arns.add(arn);
    }
    if (arns.size > MAX_ORIGIN_MTLS_CERTIFICATES_PER_CALL) problems.push(`${label(resource)}: its origins use ${arns.size} distinct origin mTLS certificates; one CreateDistribution call adds at most ${MAX_ORIGIN_MTLS_CERTIFICATES_PER_CALL}`);
    return problems;
  },
};

export const cloudfrontAlternateDomains: AwsResourceRule = {
  id: "cloudfront-alternate-domain-names",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Alternate domain names (aliases) are lower-case and need the distribution's own certificate covering them (not the default *.cloudfront.net one); an ACM certificate for CloudFront is in us-east-1.",
  awsError: "InvalidViewerCertificate / InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfAlternateDomains, SOURCES.cfAlternateDomainsHttps],
  notOffline: "Whether the certificate's names cover the aliases is known to ACM alone when the certificate comes from config; a certificate the stack requests is checked by acm-requested-certificate.",
  resourceTypes: ["aws:cloudfront/distribution:Distribution"],
  check(resource) {
    const fields = fieldsOf(resource);
    const problems: string[] = [];
    const aliases = fields.get("aliases").texts();
    for (const alias of aliases) if (alias !== alias.toLowerCase()) problems.push(`${label(resource)}: alias ${clip(alias, 120)} has upper-case letters; CloudFront requires lower-case alternate domain names`);
    const certificate = fields.get("viewerCertificate");
    const acm = certificate.get("acmCertificateArn").text();
    if (aliases.length > 0 && acm === undefined && certificate.get("iamCertificateId").text() === undefined) problems.push(`${label(resource)}: aliases (${clip(aliases.join(", "), 200)}) without a certificate of the distribution's own (viewerCertificate.acmCertificateArn); the default CloudFront certificate covers only *.cloudfront.net`);
    if (acm !== undefined && !/^arn:aws[a-z-]*:acm:us-east-1:/.test(acm)) problems.push(`${label(resource)}: viewerCertificate.acmCertificateArn ${clip(acm, 200)} is not in us-east-1; CloudFront uses ACM certificates from US East (N. Virginia) only`);
    return problems;
  },
};

/** The method sets CloudFront accepts in a behaviour. */
const ALLOWED_METHOD_SETS = [["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"], ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]];
const CACHED_METHOD_SETS = [["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"]];
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && b.every((m) => a.includes(m));

export const cloudfrontBehaviourMethods: AwsResourceRule = {
  id: "cloudfront-behaviour-methods",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "A behaviour's allowed methods are GET+HEAD, GET+HEAD+OPTIONS, or all seven (GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE); its cached methods GET+HEAD or GET+HEAD+OPTIONS, among the allowed ones.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfAllowedMethods, SOURCES.cfCachedMethods],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    return behavioursOf(resource).flatMap((behaviour) => {
      const problems: string[] = [];
      const allowed = behaviour.get("allowedMethods").texts();
      const cached = behaviour.get("cachedMethods").texts();
      if (allowed.length > 0 && !ALLOWED_METHOD_SETS.some((set) => sameSet(allowed, set))) problems.push(`${label(resource)}: ${behaviourLabel(behaviour)} allows ${clip(allowed.join(", "), 120)}; CloudFront accepts ${ALLOWED_METHOD_SETS.map((s) => s.join("+")).join(", or ")}`);
      if (cached.length > 0 && !CACHED_METHOD_SETS.some((set) => sameSet(cached, set))) problems.push(`${label(resource)}: ${behaviourLabel(behaviour)} caches ${clip(cached.join(", "), 120)}; CloudFront caches GET+HEAD or GET+HEAD+OPTIONS`);
      else if (cached.length > 0 && allowed.length > 0 && cached.some((m) => !allowed.includes(m))) problems.push(`${label(resource)}: ${behaviourLabel(behaviour)} caches ${cached.filter((m) => !allowed.includes(m)).join(", ")}, which it does not allow`);
      return problems;
    });
  },
};

/** CloudFront's tag character set: letters, digits, white space and _ . : / = + - @. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const cloudfrontTags: AwsResourceRule = {
  id: "cloudfront-distribution-tags",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "At most 50 tags per distribution; a tag key 1–128 characters, a value at most 256, both of letters, digits, spaces and _ . : / = + - @.",
  awsError: "InvalidTagging (CreateDistributionWithTags / TagResource)",
  sources: [SOURCES.cfTag, SOURCES.cfQuotas],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const tags = fieldsOf(resource).get("tags");
    const value = tags.value;
    if (value === undefined) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw tags.unreadable("is not an object of tag keys and values");
    const problems: string[] = [];
    const keys = Object.keys(value);
    if (keys.length > 50) problems.push(`${label(resource)} has ${keys.length} tags; CloudFront allows 50 per distribution`);
    for (const key of keys) {
      const text = tags.get(key).value;
      const tagValue = text === undefined ? "" : typeof text === "string" ? text : undefined;
      if (tagValue === undefined) throw tags.get(key).unreadable("is not a string tag value");
      if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) problems.push(`${label(resource)}: tag key ${clip(JSON.stringify(key), 140)} must be 1–128 letters, digits, spaces or _ . : / = + - @`);
      if (tagValue.length > 256 || !TAG_TEXT.test(tagValue)) problems.push(`${label(resource)}: the value of tag ${clip(key, 60)} must be at most 256 letters, digits, spaces or _ . : / = + - @`);
    }
    return problems;
  },
};

export const cloudfrontKeyValueStoreName = nameRule({
  id: "cloudfront-key-value-store-name",
  service: "CloudFront",
  resourceTypes: ["aws:cloudfront/keyValueStore:KeyValueStore"],
  what: "KeyValueStore name",
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9_-]+$/,
  allowed: "letters, digits, - and _",
  awsError: "InvalidArgument / ValidationException (CreateKeyValueStore)",
  sources: [SOURCES.cfCreateKeyValueStore, SOURCES.tfKeyValueStore],
});

export const cloudfrontConnectionFunctionName = nameRule({
  id: "cloudfront-connection-function-name",
  service: "CloudFront",
  resourceTypes: ["aws:cloudfront/connectionFunction:ConnectionFunction", "aws:cloudfront/function:Function"],
  what: "function name",
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9_-]+$/,
  allowed: "letters, digits, - and _",
  awsError: "InvalidArgument / ValidationException (CreateFunction / CreateConnectionFunction)",
  sources: [SOURCES.cfCreateConnectionFunction, SOURCES.cfCreateFunction],
});

export const cloudfrontFunctionCodeSize: AwsResourceRule = {
  id: "cloudfront-function-code-size",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "CloudFront Functions and Connection Functions: code at most 10 KB (10,240 bytes).",
  awsError: "FunctionSizeLimitExceeded",
  sources: [SOURCES.cfQuotas, SOURCES.cfConnectionFunctionLimits, SOURCES.cfCreateConnectionFunction],
  disagreement:
    "Sources disagree: the quotas page gives CloudFront Functions a maximum size of 10 KB (AWS's 2023 source; the current page cannot be read that far here); the API accepts function code of up to 40,960 bytes; for Connection Functions no number is found in AWS text reachable here ('Function code and configuration are limited in size'). The rule takes 10 KB for both, the stricter reading.",
  resourceTypes: ["aws:cloudfront/connectionFunction:ConnectionFunction", "aws:cloudfront/function:Function"],
  check(resource) {
    const fields = fieldsOf(resource);
    const code = fields.get(resource.type.endsWith(":ConnectionFunction") ? "connectionFunctionCode" : "code").text();
    return code !== undefined && bytes(code) > 10 * 1024 ? [`${label(resource)}: the function code is ${bytes(code)} bytes; CloudFront accepts at most 10,240`] : [];
  },
};

export const cloudfrontOacName = nameRule({
  id: "cloudfront-origin-access-control-name",
  service: "CloudFront",
  resourceTypes: ["aws:cloudfront/originAccessControl:OriginAccessControl"],
  what: "Origin Access Control name",
  min: 1,
  max: 64,
  pattern: /^[\x20-\x7e]+$/,
  allowed: "printable ASCII",
  awsError: "InvalidArgument (CreateOriginAccessControl)",
  sources: [SOURCES.cfOacApi],
  disagreement: "Not found in AWS text reachable here: a character set for the name (the API says only 'up to 64 characters'; neither the Terraform provider nor the AWS CDK checks one). The rule assumes printable ASCII.",
});

export const cloudfrontPolicyName = nameRule({
  id: "cloudfront-policy-name",
  service: "CloudFront",
  resourceTypes: ["aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "aws:cloudfront/cachePolicy:CachePolicy"],
  what: "policy name",
  min: 1,
  max: 128,
  pattern: /^[A-Za-z0-9_-]+$/,
  allowed: "letters, digits, - and _",
  awsError: "InvalidArgument (CreateOriginRequestPolicy / CreateCachePolicy)",
  sources: [SOURCES.cfOriginRequestPolicyApi, SOURCES.cfCachePolicyApi, SOURCES.cdkCachePolicy],
  disagreement:
    "Not found in AWS text reachable here: the API reference gives the name no length or pattern ('A unique name to identify the … policy'). AWS's CDK refuses names other than letters, digits, '-' and '_' for both policies and cache policy names over 128 characters. The rule takes the CDK's checks for both policies, the stricter reading.",
});

export const cloudfrontKeyValueStoreData: AwsResourceRule = {
  id: "cloudfront-key-value-store-data",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "KeyValueStore keys at most 512 characters, values at most 1,024 characters, a store's keys and values together at most 5 MB.",
  awsError: "ValidationException / ServiceQuotaExceededException (PutKey / UpdateKeys)",
  sources: [SOURCES.cfKeyValuePairFormat, SOURCES.cfKvsPutKey, SOURCES.cfKeyValueStore],
  disagreement:
    "Sources disagree: the developer guide gives keys at most 512 characters and values at most 1,024 characters; the KeyValueStore API accepts keys of up to 1,024 characters and states no value limit. The rule takes 512. Not found in AWS text reachable here: the 5 MB total of a store (the guide's page reachable here gives 5 MB for an import file only); the rule assumes 5 MB, counted in UTF-8 bytes, the stricter reading.",
  resourceTypes: ["aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive"],
  check(resource) {
    const fields = fieldsOf(resource);
    const pairs: { key: string; value: string }[] = resource.type.endsWith(":KeyvaluestoreKeysExclusive")
      ? fields
          .get("resourceKeyValuePairs")
          .items()
          .map((pair) => ({ key: pair.get("key").text() ?? "", value: pair.get("value").text() ?? "" }))
      : [{ key: fields.get("key").text() ?? "", value: fields.get("value").text() ?? "" }];
    const problems: string[] = [];
    let total = 0;
    for (const { key, value } of pairs) {
      total += bytes(key) + bytes(value);
      const [keyLength, valueLength] = [[...key].length, [...value].length];
      if (keyLength > 512) problems.push(`${label(resource)}: key ${clip(key, 40)} has ${keyLength} characters; at most 512`);
      if (valueLength > 1024) problems.push(`${label(resource)}: the value of ${clip(key, 40)} has ${valueLength} characters; at most 1,024`);
    }
    if (total > 5 * 1024 * 1024) problems.push(`${label(resource)}: ${total} bytes of keys and values; a store holds at most 5 MB`);
    return problems;
  },
};

export const CLOUDFRONT_RULES = [
  cloudfrontCustomHeaderName,
  cloudfrontCustomHeaderSize,
  cloudfrontCustomHeaderCount,
  ...policyListQuotas,
  cloudfrontCacheBehaviors,
  cloudfrontViewerMtls,
  cloudfrontOriginMtls,
  cloudfrontAlternateDomains,
  cloudfrontBehaviourMethods,
  cloudfrontTags,
  cloudfrontPolicyName,
  cloudfrontOacName,
  cloudfrontKeyValueStoreName,
  cloudfrontKeyValueStoreData,
  cloudfrontConnectionFunctionName,
  cloudfrontFunctionCodeSize,
];

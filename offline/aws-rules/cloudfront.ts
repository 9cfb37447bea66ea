import { behavioursOf, customConfigOf, customHeadersOf, DISTRIBUTION_TYPES, itemsOf, originIdOf, originsOf } from "./cloudfront-shape";
import { AwsResourceRule, bytes, label, nameRule } from "./rule";
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

const distributionOrigins = (props: Record<string, any>) => originsOf(props).map((origin) => ({ origin, id: originIdOf(origin) ?? "?", headers: customHeadersOf(origin) }));

export const cloudfrontCustomHeaderName: AwsResourceRule = {
  id: "cloudfront-origin-custom-header-name",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Custom origin headers may not start with X-Amz- or X-Edge- nor be one of the headers CloudFront owns (Cache-Control, Connection, Content-Length, Cookie, Host, If-*, Max-Forwards, Pragma, Proxy-*, Range, Request-Range, TE, Trailer, Transfer-Encoding, Upgrade, Via, X-Real-Ip).",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfCustomHeaders],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    return distributionOrigins(resource.props).flatMap(({ id, headers }) =>
      headers.flatMap((h) => {
        const reason = refusedCustomHeaderReason(h.name);
        return reason ? [`${label(resource)}: origin ${id} custom header ${h.name}: ${reason}; use a name such as X-Origin-Verify`] : [];
      }),
    );
  },
};

export const cloudfrontCustomHeaderSize: AwsResourceRule = {
  id: "cloudfront-origin-custom-header-size",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "A custom origin header name is at most 256 characters, a value at most 1,783, and all names and values of an origin together at most 10,240.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfQuotas],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    return distributionOrigins(resource.props).flatMap(({ id, headers }) => {
      const problems: string[] = [];
      let total = 0;
      for (const h of headers) {
        total += h.name.length + (h.value?.length ?? 0);
        if (h.name.length > 256) problems.push(`${label(resource)}: origin ${id} custom header name ${h.name.slice(0, 40)}… has ${h.name.length} characters; at most 256`);
        if ((h.value?.length ?? 0) > 1783) problems.push(`${label(resource)}: origin ${id} custom header ${h.name} has a ${h.value!.length}-character value; at most 1,783`);
      }
      if (total > 10240) problems.push(`${label(resource)}: origin ${id} custom headers total ${total} characters; at most 10,240`);
      return problems;
    });
  },
};

export const cloudfrontCustomHeaderCount: AwsResourceRule = {
  id: "cloudfront-origin-custom-headers-per-origin",
  service: "CloudFront",
  scope: "resource",
  kind: "quota",
  defaultQuota: 10,
  summary: "At most 10 custom headers per origin (adjustable by a quota request).",
  awsError: "TooManyOriginCustomHeaders",
  sources: [SOURCES.cfQuotas],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource, quota) {
    return distributionOrigins(resource.props)
      .filter(({ headers }) => headers.length > quota)
      .map(({ id, headers }) => `${label(resource)}: origin ${id} has ${headers.length} custom headers; the quota is ${quota}`);
  },
};

/** Quota rules on the lists of an origin request or cache policy. */
function policyListRule(policy: "origin request" | "cache", list: "headers" | "cookies" | "query strings", awsError: string): AwsResourceRule {
  const type = policy === "origin request" ? "aws:cloudfront/originRequestPolicy:OriginRequestPolicy" : "aws:cloudfront/cachePolicy:CachePolicy";
  const configKey = { headers: ["headersConfig", "headers"], cookies: ["cookiesConfig", "cookies"], "query strings": ["queryStringsConfig", "queryStrings"] }[list];
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
      const holder = policy === "cache" ? resource.props.parametersInCacheKeyAndForwardedToOrigin ?? {} : resource.props;
      const items = itemsOf(holder[configKey[0]!]?.[configKey[1]!]);
      return items.length > quota ? [`${label(resource)} lists ${items.length} ${list} (${items.join(", ")}); the quota is ${quota}: forward only what the origin reads`] : [];
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
  sources: [SOURCES.cfQuotas],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource, quota) {
    const count = behavioursOf(resource.props).length - (resource.props.defaultCacheBehavior ? 1 : 0);
    return count > quota ? [`${label(resource)} has ${count} cache behaviours; the quota is ${quota}`] : [];
  },
};

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
    const mtls = resource.props.viewerMtlsConfig;
    if (!mtls || typeof mtls !== "object") return [];
    const problems: string[] = [];
    if (mtls.mode !== undefined && !["required", "optional"].includes(mtls.mode)) problems.push(`${label(resource)}: viewerMtlsConfig.mode ${mtls.mode}; CloudFront accepts required or optional`);
    const store = mtls.trustStoreConfig?.trustStoreId;
    if (mtls.trustStoreConfig === undefined || store === "" || store === null) problems.push(`${label(resource)}: viewer mTLS without a trust store (viewerMtlsConfig.trustStoreConfig.trustStoreId)`);
    if (typeof resource.props.httpVersion === "string" && /3/.test(resource.props.httpVersion)) problems.push(`${label(resource)}: httpVersion ${resource.props.httpVersion} with viewer mTLS; HTTP/3 is not available with mTLS (use http2)`);
    for (const behaviour of behavioursOf(resource.props)) {
      if (behaviour.viewerProtocolPolicy === "allow-all") problems.push(`${label(resource)}: behaviour ${behaviour.pathPattern ?? "default"} allows plain HTTP with viewer mTLS; use https-only or redirect-to-https`);
    }
    return problems;
  },
};

export const cloudfrontOriginMtls: AwsResourceRule = {
  id: "cloudfront-origin-mtls-requirements",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "Origin mTLS is for custom origins over HTTPS, with a client certificate imported into ACM in us-east-1.",
  awsError: "InvalidArgument (CreateDistribution / UpdateDistribution)",
  sources: [SOURCES.cfOriginMtls, SOURCES.cfOriginMtlsAcm],
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const problems: string[] = [];
    for (const origin of originsOf(resource.props)) {
      const custom = customConfigOf(origin);
      const mtls = custom?.originMtlsConfig;
      if (!mtls) continue;
      const id = originIdOf(origin) ?? "?";
      const arn = mtls.clientCertificateArn;
      if (typeof arn === "string" && !/^arn:aws[a-z-]*:acm:us-east-1:\d+:certificate\/.+/.test(arn)) problems.push(`${label(resource)}: origin ${id} client certificate ${arn} is not an ACM certificate in us-east-1`);
      if (custom.originProtocolPolicy !== undefined && custom.originProtocolPolicy !== "https-only") problems.push(`${label(resource)}: origin ${id} uses origin mTLS with originProtocolPolicy ${custom.originProtocolPolicy}; it needs https-only`);
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
  sources: [SOURCES.cfKeyValueStore, SOURCES.tfKeyValueStore],
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
  awsError: "InvalidArgument (CreateFunction / CreateConnectionFunction)",
  sources: [SOURCES.cfQuotas, SOURCES.cfConnectionFunctions],
});

export const cloudfrontFunctionCodeSize: AwsResourceRule = {
  id: "cloudfront-function-code-size",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "CloudFront Functions and Connection Functions: code at most 10 KB.",
  awsError: "FunctionSizeLimitExceeded",
  sources: [SOURCES.cfConnectionFunctions],
  resourceTypes: ["aws:cloudfront/connectionFunction:ConnectionFunction", "aws:cloudfront/function:Function"],
  check(resource) {
    const code = resource.props.connectionFunctionCode ?? resource.props.code;
    return typeof code === "string" && bytes(code) > 10 * 1024 ? [`${label(resource)}: the function code is ${bytes(code)} bytes; CloudFront accepts at most 10,240`] : [];
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
  sources: [SOURCES.cfQuotas],
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
  sources: [SOURCES.cfOriginRequestPolicyApi],
  disagreement: "The API reference states no pattern; the console accepts letters, digits, hyphens and underscores up to 128 characters. The rule takes the console's stricter reading.",
});

export const cloudfrontKeyValueStoreData: AwsResourceRule = {
  id: "cloudfront-key-value-store-data",
  service: "CloudFront",
  scope: "resource",
  kind: "hard",
  summary: "KeyValueStore keys at most 512 bytes, values at most 1 KB, a store at most 5 MB.",
  awsError: "ValidationException / ServiceQuotaExceededException (UpdateKeys, PutKey)",
  sources: [SOURCES.cfKeyValueStore],
  disagreement: "The quotas page gives 5 MB per store; another CloudFront page gives 10 MB. The rule takes 5 MB.",
  resourceTypes: ["aws:cloudfrontkeyvaluestore/key:Key", "aws:cloudfrontkeyvaluestore/keysExclusive:KeysExclusive"],
  check(resource) {
    const pairs: { key: string; value: string }[] = Array.isArray(resource.props.resourceKeyValuePairs)
      ? resource.props.resourceKeyValuePairs.filter((p: any) => typeof p?.key === "string" && typeof p?.value === "string")
      : typeof resource.props.key === "string" && typeof resource.props.value === "string"
        ? [{ key: resource.props.key, value: resource.props.value }]
        : [];
    const problems: string[] = [];
    let total = 0;
    for (const { key, value } of pairs) {
      total += bytes(key) + bytes(value);
      if (bytes(key) > 512) problems.push(`${label(resource)}: key ${key.slice(0, 40)}… is ${bytes(key)} bytes; at most 512`);
      if (bytes(value) > 1024) problems.push(`${label(resource)}: the value of ${key.slice(0, 40)} is ${bytes(value)} bytes; at most 1,024`);
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
  cloudfrontPolicyName,
  cloudfrontOacName,
  cloudfrontKeyValueStoreName,
  cloudfrontKeyValueStoreData,
  cloudfrontConnectionFunctionName,
  cloudfrontFunctionCodeSize,
];

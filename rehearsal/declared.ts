import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_POLICIES } from "../components/edge-rules";
import { DEFAULT_IDENTITY_SOURCE, splitIdentitySources } from "../offline/aws-rules";
import type { RecordedResource } from "../offline/pulumi-mocks";

/**
 * What the stand-ins are configured from: the resources the stack programs declared in an offline
 * deployment (offline/deployment.ts), read here and nowhere else. Each reader follows the
 * references the provider would (ids, ARNs, bucket names) and says which resource is missing or
 * wrong when it cannot, so a program that stops declaring something stops the rehearsal.
 */

/** A resource the rehearsal needs and the program did not declare (or declared unreadably). */
export class DeclarationMissing extends Error {
  readonly code = "DECLARATION_MISSING";
  constructor(message: string) {
    super(message);
    this.name = "DeclarationMissing";
  }
}

const TYPES = {
  distribution: "aws:cloudfront/distribution:Distribution",
  trustStore: "aws:cloudfront/trustStore:TrustStore",
  connectionFunction: "aws:cloudfront/connectionFunction:ConnectionFunction",
  originRequestPolicy: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
  oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
  acmCertificate: "aws:acm/certificate:Certificate",
  bucket: "aws:s3/bucket:Bucket",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  fn: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  restApi: "aws:apigateway/restApi:RestApi",
  apiResource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  stage: "aws:apigateway/stage:Stage",
  domainName: "aws:apigateway/domainName:DomainName",
  basePathMapping: "aws:apigateway/basePathMapping:BasePathMapping",
} as const;

/** An IAM policy statement, as the programs write them. */
export interface PolicyStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A Lambda function as its resource declares it: name, the code it deploys, its environment, what its role may do. */
export interface DeclaredFunction {
  readonly name: string;
  readonly code: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly statements: readonly PolicyStatement[];
  /** The handler setting, `<file>.<export>` (Lambda loads `<file>.js` and calls that export). */
  readonly handler: string;
  /** The runtime (e.g. nodejs22.x) and memory size (MB) the resource declares, which Lambda hands to the code. */
  readonly runtime: string;
  readonly memorySize: number;
}

/** One cache behaviour, in CloudFront's order (ordered behaviours first, the default last). */
export interface DeclaredBehaviour {
  readonly pathPattern: string;
  readonly allowedMethods: readonly string[];
  readonly targetOriginId: string;
  /** Which viewer (and CloudFront-Viewer-*) headers reach the origin. */
  readonly headers: HeaderForwarding;
}

/** An origin request policy's header part: `none`, a list, all viewer headers, or all but a list. */
export type HeaderForwarding = { readonly behavior: "none" } | { readonly behavior: "whitelist" | "allExcept" | "allViewer" | "allViewerAndWhitelistCloudFront"; readonly names: readonly string[] };

/** One origin of the distribution. */
export interface DeclaredOrigin {
  readonly id: string;
  readonly domainName: string;
  readonly customHeaders: readonly { readonly name: string; readonly value: string }[];
  /** A custom origin: the TLS versions it may use, and the client certificate of origin mTLS (the ACM resource's parts). */
  readonly custom?: { readonly sslProtocols: readonly string[]; readonly protocolPolicy: string; readonly httpPort: number; readonly httpsPort: number; readonly clientCertificate?: { readonly arn: string; readonly certificatePem: string; readonly chainPem: string; readonly privateKeyPem: string } };
  /** An S3 origin: the bucket, and whether OAC lets this distribution read it (why not, when it does not). */
  readonly s3?: { readonly bucket: string; readonly bucketArn: string; readonly oac?: string };
}

/** The CloudFront distribution and what it references. */
export interface DeclaredEdge {
  readonly distributionArn: string;
  readonly aliases: readonly string[];
  readonly viewerMtlsMode: string;
  /** The viewer certificate's security policy (`minimumProtocolVersion`, e.g. TLSv1.2_2021). */
  readonly viewerSecurityPolicy: string;
  readonly trustBundlePem: string;
  readonly defaultRootObject?: string;
  readonly connectionFunction?: { readonly code: string; readonly keyValueStoreArn?: string };
  readonly behaviours: readonly DeclaredBehaviour[];
  readonly origins: readonly DeclaredOrigin[];
}

/** A REQUEST (or TOKEN) authorizer. */
export interface DeclaredAuthorizer {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly identitySources: readonly string[];
  readonly resultTtlSeconds: number;
  readonly functionName: string;
}

/** One method of the REST API: its path (resource tree), HTTP method, authorization and integration. */
export interface DeclaredRoute {
  readonly path: string;
  readonly method: string;
  readonly authorization: string;
  readonly authorizer?: DeclaredAuthorizer;
  readonly integration?: { readonly type: string; readonly functionName?: string };
}

/** The API Gateway custom domain and the REST API stage mapped to it. */
export interface DeclaredApi {
  readonly domainName: string;
  readonly truststorePem: string;
  readonly securityPolicy?: string;
  readonly restApiId: string;
  readonly executeApiDisabled: boolean;
  readonly stageName: string;
  readonly accessLogFormat?: string;
  readonly routes: readonly DeclaredRoute[];
}

/** An object in a bucket, as a stand-in S3 serves it. */
export interface DeclaredObject {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly versionId: string;
}

/** What the workload program declared, as the stand-ins read it. */
export interface Declared {
  readonly edge: DeclaredEdge;
  readonly api: DeclaredApi;
  readonly functions: ReadonlyMap<string, DeclaredFunction>;
  /** Bucket name → key → object (the workload program's uploads). */
  readonly buckets: ReadonlyMap<string, ReadonlyMap<string, DeclaredObject>>;
  /** Bucket name → its bucket policy's statements. */
  readonly bucketPolicies: ReadonlyMap<string, readonly PolicyStatement[]>;
}

function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

function one(resources: readonly RecordedResource[], type: string, what: string, match: (r: RecordedResource) => boolean = () => true): RecordedResource {
  const found = ofType(resources, type).filter(match);
  if (found.length !== 1) throw new DeclarationMissing(`the workload program declares ${found.length === 0 ? "no" : found.length} ${what} (${type}); the rehearsal needs exactly one`);
  return found[0]!;
}

/** The value of an asset (StringAsset text, FileAsset file) or archive member, as the provider would upload it. */
async function assetBytes(asset: unknown): Promise<Uint8Array> {
  const a = asset as { text?: Promise<string>; path?: Promise<string> };
  const text = await a.text;
  if (typeof text === "string") return new Uint8Array(Buffer.from(text));
  const path = await a.path;
  if (typeof path === "string") return new Uint8Array(readFileSync(path));
  throw new Error("an asset that is neither text nor a file");
}

async function functionCode(fn: RecordedResource): Promise<string> {
  const code = fn.inputs.code;
  if (!pulumi.asset.Archive.isInstance(code)) throw new DeclarationMissing(`function ${fn.inputs.name} (${fn.name}) deploys no code archive the rehearsal can read`);
  const assets = (await (code as unknown as { assets: Promise<Record<string, unknown>> }).assets) ?? {};
  const handlerFile = `${String(fn.inputs.handler ?? "index.handler").split(".")[0]}.js`;
  if (!assets[handlerFile]) throw new DeclarationMissing(`function ${fn.inputs.name} (${fn.name}): its handler ${fn.inputs.handler} is not in its code archive (${Object.keys(assets).join(", ")})`);
  return Buffer.from(await assetBytes(assets[handlerFile])).toString("utf8");
}

function statementsOf(policy: unknown): PolicyStatement[] {
  const parsed = typeof policy === "string" ? JSON.parse(policy) : policy;
  const statements = (parsed as { Statement?: unknown })?.Statement;
  return Array.isArray(statements) ? statements : statements ? [statements as PolicyStatement] : [];
}

function bucketOf(resources: readonly RecordedResource[], reference: string): RecordedResource {
  const bucket = ofType(resources, TYPES.bucket).find((b) => b.outputs?.id === reference || b.outputs?.bucket === reference);
  if (!bucket) throw new DeclarationMissing(`no bucket ${reference} in the workload program`);
  return bucket;
}

async function readBuckets(resources: readonly RecordedResource[]) {
  const buckets = new Map<string, Map<string, DeclaredObject>>();
  for (const object of ofType(resources, TYPES.object)) {
    const bucket = String(bucketOf(resources, object.inputs.bucket).outputs!.bucket);
    const body = typeof object.inputs.content === "string" ? new Uint8Array(Buffer.from(object.inputs.content)) : await assetBytes(object.inputs.source);
    if (!buckets.has(bucket)) buckets.set(bucket, new Map());
    buckets.get(bucket)!.set(String(object.inputs.key), { body, contentType: object.inputs.contentType, versionId: String(object.outputs?.versionId) });
  }
  const policies = new Map<string, PolicyStatement[]>();
  for (const policy of ofType(resources, TYPES.bucketPolicy)) policies.set(String(bucketOf(resources, policy.inputs.bucket).outputs!.bucket), statementsOf(policy.inputs.policy));
  return { buckets, policies };
}

async function readFunctions(resources: readonly RecordedResource[]): Promise<Map<string, DeclaredFunction>> {
  const functions = new Map<string, DeclaredFunction>();
  for (const fn of ofType(resources, TYPES.fn)) {
    const role = ofType(resources, TYPES.role).find((r) => r.outputs?.arn === fn.inputs.role);
    const statements = role ? ofType(resources, TYPES.rolePolicy).filter((p) => p.inputs.role === role.outputs?.id || p.inputs.role === role.outputs?.name).flatMap((p) => statementsOf(p.inputs.policy)) : [];
    // The provider's defaults where the resource leaves them out (handler has none: the provider requires it for zip code).
    functions.set(String(fn.inputs.name), { name: String(fn.inputs.name), code: await functionCode(fn), environment: { ...(fn.inputs.environment?.variables ?? {}) }, statements, handler: String(fn.inputs.handler ?? "index.handler"), runtime: String(fn.inputs.runtime ?? ""), memorySize: Number(fn.inputs.memorySize ?? 128) });
  }
  return functions;
}

/** The Lambda function an API Gateway integration or authorizer URI invokes. */
function functionByInvokeArn(resources: readonly RecordedResource[], uri: string, what: string): string {
  const fn = ofType(resources, TYPES.fn).find((f) => f.outputs?.invokeArn === uri);
  if (!fn) throw new DeclarationMissing(`${what} invokes ${uri}, which is no function of the workload program`);
  return String(fn.inputs.name);
}

/** The header part of an origin request policy (a resource of the program, or a managed one by id). */
function headerForwarding(resources: readonly RecordedResource[], policyId: string | undefined): HeaderForwarding {
  if (!policyId) return { behavior: "none" };
  if (policyId === MANAGED_POLICIES.allViewer) return { behavior: "allViewer", names: [] };
  if (policyId === MANAGED_POLICIES.allViewerExceptHostHeader) return { behavior: "allExcept", names: ["Host"] };
  const policy = ofType(resources, TYPES.originRequestPolicy).find((p) => p.outputs?.id === policyId);
  if (!policy) throw new DeclarationMissing(`a cache behaviour names origin request policy ${policyId}, which the workload program does not declare (and the rehearsal does not model that managed policy)`);
  const config = policy.inputs.headersConfig ?? {};
  const behavior = String(config.headerBehavior ?? "none");
  if (behavior === "none") return { behavior: "none" };
  return { behavior: behavior as "whitelist", names: [...(config.headers?.items ?? [])].map(String) };
}

function readEdge(resources: readonly RecordedResource[], buckets: Map<string, Map<string, DeclaredObject>>): DeclaredEdge {
  const distribution = one(resources, TYPES.distribution, "CloudFront distribution");
  const d = distribution.inputs;
  const mtls = d.viewerMtlsConfig ?? {};
  const trustStore = ofType(resources, TYPES.trustStore).find((t) => t.outputs?.id === mtls.trustStoreConfig?.trustStoreId);
  if (!trustStore) throw new DeclarationMissing(`distribution ${distribution.name} names trust store ${mtls.trustStoreConfig?.trustStoreId}, which the workload program does not declare`);
  const location = trustStore.inputs.caCertificatesBundleSource?.caCertificatesBundleS3Location ?? {};
  const bundle = buckets.get(String(location.bucket))?.get(String(location.key));
  if (!bundle) throw new DeclarationMissing(`trust store ${trustStore.name} reads s3://${location.bucket}/${location.key}, which the workload program does not upload`);
  if (location.version !== undefined && location.version !== bundle.versionId) throw new DeclarationMissing(`trust store ${trustStore.name} reads version ${location.version} of s3://${location.bucket}/${location.key}; the upload is ${bundle.versionId}`);
  const association = d.connectionFunctionAssociation?.id;
  const connectionFunction = association === undefined ? undefined : ofType(resources, TYPES.connectionFunction).find((f) => f.outputs?.id === association);
  if (association !== undefined && !connectionFunction) throw new DeclarationMissing(`distribution ${distribution.name} associates connection function ${association}, which the workload program does not declare`);
  const origins: DeclaredOrigin[] = (d.origins ?? []).map((o: Record<string, any>): DeclaredOrigin => {
    const customHeaders = (o.customHeaders ?? []).map((h: { name: string; value: string }) => ({ name: String(h.name), value: String(h.value) }));
    if (o.customOriginConfig) {
      const arn = o.customOriginConfig.originMtlsConfig?.clientCertificateArn;
      const acm = arn === undefined ? undefined : ofType(resources, TYPES.acmCertificate).find((c) => c.outputs?.arn === arn);
      if (arn !== undefined && !acm?.inputs.certificateBody) throw new DeclarationMissing(`origin ${o.originId} presents ACM certificate ${arn}, which the workload program does not import (no certificate body)`);
      return {
        id: String(o.originId),
        domainName: String(o.domainName),
        customHeaders,
        custom: {
          sslProtocols: [...(o.customOriginConfig.originSslProtocols ?? [])],
          protocolPolicy: String(o.customOriginConfig.originProtocolPolicy),
          httpPort: Number(o.customOriginConfig.httpPort ?? 80),
          httpsPort: Number(o.customOriginConfig.httpsPort ?? 443),
          clientCertificate: acm && { arn: String(arn), certificatePem: acm.inputs.certificateBody, chainPem: acm.inputs.certificateChain ?? "", privateKeyPem: acm.inputs.privateKey },
        },
      };
    }
    const bucket = ofType(resources, TYPES.bucket).find((b) => b.outputs?.bucketRegionalDomainName === o.domainName);
    if (!bucket) throw new DeclarationMissing(`origin ${o.originId} is ${o.domainName}, which is no bucket of the workload program`);
    const oac = o.originAccessControlId === undefined ? undefined : ofType(resources, TYPES.oac).find((c) => c.outputs?.id === o.originAccessControlId);
    return { id: String(o.originId), domainName: String(o.domainName), customHeaders, s3: { bucket: String(bucket.outputs!.bucket), bucketArn: String(bucket.outputs!.arn), oac: oac && oac.inputs.originAccessControlOriginType === "s3" && oac.inputs.signingBehavior === "always" ? String(oac.outputs!.id) : undefined } };
  });
  const behaviour = (b: Record<string, any>, pathPattern: string): DeclaredBehaviour => ({
    pathPattern,
    allowedMethods: [...(b.allowedMethods ?? [])].map(String),
    targetOriginId: String(b.targetOriginId),
    headers: headerForwarding(resources, b.originRequestPolicyId),
  });
  return {
    distributionArn: String(distribution.outputs?.arn),
    aliases: [...(d.aliases ?? [])],
    viewerMtlsMode: String(mtls.mode ?? "none"),
    // CloudFront's default when the certificate settings leave it out is TLSv1 (the provider passes none).
    viewerSecurityPolicy: String(d.viewerCertificate?.minimumProtocolVersion ?? "TLSv1"),
    trustBundlePem: Buffer.from(bundle.body).toString("utf8"),
    defaultRootObject: d.defaultRootObject,
    connectionFunction: connectionFunction && { code: String(connectionFunction.inputs.connectionFunctionCode), keyValueStoreArn: connectionFunction.inputs.connectionFunctionConfig?.keyValueStoreAssociation?.keyValueStoreArn },
    behaviours: [...(d.orderedCacheBehaviors ?? []).map((b: Record<string, any>) => behaviour(b, String(b.pathPattern))), behaviour(d.defaultCacheBehavior ?? {}, "*")],
    origins,
  };
}

function readApi(resources: readonly RecordedResource[], buckets: Map<string, Map<string, DeclaredObject>>, domainName: string): DeclaredApi {
  const domain = one(resources, TYPES.domainName, `API Gateway custom domain ${domainName}`, (r) => r.inputs.domainName === domainName);
  const mtls = domain.inputs.mutualTlsAuthentication ?? {};
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(mtls.truststoreUri ?? ""));
  if (!uri) throw new DeclarationMissing(`custom domain ${domainName} has no mTLS truststore (mutualTlsAuthentication.truststoreUri ${mtls.truststoreUri})`);
  const truststore = buckets.get(uri[1]!)?.get(uri[2]!);
  if (!truststore) throw new DeclarationMissing(`custom domain ${domainName} reads its truststore from ${mtls.truststoreUri}, which the workload program does not upload`);
  if (mtls.truststoreVersion !== undefined && mtls.truststoreVersion !== truststore.versionId) throw new DeclarationMissing(`custom domain ${domainName} reads truststore version ${mtls.truststoreVersion}; the upload is ${truststore.versionId}`);
  const mapping = one(resources, TYPES.basePathMapping, `base path mapping of ${domainName}`, (r) => r.inputs.domainName === domainName);
  const restApiId = String(mapping.inputs.restApi);
  const restApi = one(resources, TYPES.restApi, `REST API ${restApiId}`, (r) => r.outputs?.id === restApiId);
  const stageName = String(mapping.inputs.stageName);
  const stage = ofType(resources, TYPES.stage).find((s) => s.inputs.restApi === restApiId && s.inputs.stageName === stageName);
  const pathOf = (id: string): string => {
    if (id === restApi.outputs?.rootResourceId) return "";
    const resource = ofType(resources, TYPES.apiResource).find((r) => r.outputs?.id === id);
    if (!resource) throw new DeclarationMissing(`API resource ${id} is not declared`);
    return `${pathOf(String(resource.inputs.parentId))}/${resource.inputs.pathPart}`;
  };
  const authorizers = ofType(resources, TYPES.authorizer).filter((a) => a.inputs.restApi === restApiId);
  const routes = ofType(resources, TYPES.method)
    .filter((m) => m.inputs.restApi === restApiId)
    .map((m): DeclaredRoute => {
      const declared = m.inputs.authorizerId === undefined ? undefined : authorizers.find((a) => a.outputs?.id === m.inputs.authorizerId);
      if (m.inputs.authorizerId !== undefined && !declared) throw new DeclarationMissing(`method ${m.name} names authorizer ${m.inputs.authorizerId}, which is not declared`);
      const integration = ofType(resources, TYPES.integration).find((i) => i.inputs.restApi === restApiId && i.inputs.resourceId === m.inputs.resourceId && i.inputs.httpMethod === m.inputs.httpMethod);
      return {
        path: pathOf(String(m.inputs.resourceId)) || "/",
        method: String(m.inputs.httpMethod),
        authorization: String(m.inputs.authorization),
        authorizer: declared && {
          id: String(declared.outputs!.id),
          name: String(declared.inputs.name),
          type: String(declared.inputs.type ?? "TOKEN"),
          // The provider's default identity source is the Authorization header.
          identitySources: splitIdentitySources(String(declared.inputs.identitySource ?? DEFAULT_IDENTITY_SOURCE)),
          resultTtlSeconds: Number(declared.inputs.authorizerResultTtlInSeconds ?? 300),
          functionName: functionByInvokeArn(resources, String(declared.inputs.authorizerUri), `authorizer ${declared.name}`),
        },
        integration: integration && { type: String(integration.inputs.type), functionName: integration.inputs.type === "AWS_PROXY" ? functionByInvokeArn(resources, String(integration.inputs.uri), `integration ${integration.name}`) : undefined },
      };
    });
  return {
    domainName,
    truststorePem: Buffer.from(truststore.body).toString("utf8"),
    securityPolicy: domain.inputs.securityPolicy,
    restApiId,
    executeApiDisabled: restApi.inputs.disableExecuteApiEndpoint === true,
    stageName,
    accessLogFormat: stage?.inputs.accessLogSettings?.format,
    routes,
  };
}

/** Reads what the workload program declared into the stand-ins' configuration. */
export async function readDeclared(workload: readonly RecordedResource[]): Promise<Declared> {
  const { buckets, policies } = await readBuckets(workload);
  const edge = readEdge(workload, buckets);
  const apiOrigin = edge.origins.find((o) => o.custom);
  if (!apiOrigin) throw new DeclarationMissing("the distribution has no custom (API) origin");
  return { edge, api: readApi(workload, buckets, apiOrigin.domainName), functions: await readFunctions(workload), buckets, bucketPolicies: policies };
}

/** `*` and `?` of IAM and CloudFront patterns, as a regular expression. */
export function globPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

/**
 * IAM condition operators the programs use (StringEquals, StringLike, ArnEquals, ArnLike, Bool),
 * evaluated against the request's context keys; an operator or key the request does not carry
 * does not match.
 */
export function conditionMatches(condition: PolicyStatement["Condition"], context: Readonly<Record<string, string>>): boolean {
  if (condition === undefined) return true;
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (actual === undefined) return false;
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (operator === "StringEquals" || operator === "ArnEquals" || operator === "Bool") return values.includes(actual);
      if (operator === "StringLike" || operator === "ArnLike") return values.some((v) => globPattern(v).test(actual));
      return false;
    }),
  );
}

/** True when an Allow statement (and no Deny) of `statements` grants `action` on `resource` (IAM's evaluation: explicit deny wins; `context` holds the request's condition keys). */
export function allows(statements: readonly PolicyStatement[], action: string, resource: string, context: Readonly<Record<string, string>> = {}, principal: (s: PolicyStatement) => boolean = () => true): boolean {
  const matchesCondition = (s: PolicyStatement) => principal(s) && conditionMatches(s.Condition, context);
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const applies = (s: PolicyStatement) => list(s.Action).some((a) => globPattern(a.toLowerCase()).test(action.toLowerCase())) && list(s.Resource).some((r) => globPattern(r).test(resource));
  if (statements.some((s) => s.Effect === "Deny" && applies(s) && matchesCondition(s))) return false;
  return statements.some((s) => s.Effect === "Allow" && applies(s) && matchesCondition(s));
}

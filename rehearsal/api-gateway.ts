import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createServer } from "node:https";
import { TLSSocket } from "node:tls";
import { formatAwsRequestTime } from "../functions/api-authorizer/aws-format";
import { ACCOUNT_ID, REGION } from "../offline/pulumi-mocks";
import type { RehearsalCertificate } from "./certificates";
import { apiGatewayClientCert, authorizerEvent } from "./aws-events";
import { allows, DeclarationMissing, DeclaredApi, DeclaredAuthorizer, DeclaredRoute, PolicyStatement } from "./declared";
import type { LambdaHandler } from "./lambda";
import { listen, Listener } from "./listener";

export type { Listener } from "./listener";

/** How the origin is set up: the API as declared, and what the loopback needs besides. */
export interface OriginOptions {
  readonly api: DeclaredApi;
  readonly serverCertificate: RehearsalCertificate;
  readonly port: number;
  readonly accessLogPath: string;
  /** The handler of a declared Lambda function, by name (loaded from its deployed code). */
  readonly lambda: (functionName: string) => LambdaHandler;
  readonly log: (line: string) => void;
}

/** The method of `routes` API Gateway selects for a request: a literal path before a greedy one, a method before ANY. */
export function matchRoute(routes: readonly DeclaredRoute[], path: string, method: string): { route?: DeclaredRoute; pathMatched: boolean } {
  const segments = path.split("/").filter(Boolean);
  const fits = (template: string) => {
    const parts = template.split("/").filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      if (/^\{[^}]+\+\}$/.test(parts[i]!)) return i === parts.length - 1 && segments.length > i;
      if (i >= segments.length) return false;
      if (!/^\{[^}]+\}$/.test(parts[i]!) && parts[i] !== segments[i]) return false;
    }
    return parts.length === segments.length;
  };
  const candidates = routes.filter((r) => fits(r.path)).sort((a, b) => Number(a.path.includes("+}")) - Number(b.path.includes("+}")));
  if (candidates.length === 0) return { pathMatched: false };
  const resource = candidates[0]!.path;
  const onResource = candidates.filter((r) => r.path === resource);
  return { route: onResource.find((r) => r.method === method) ?? onResource.find((r) => r.method === "ANY"), pathMatched: true };
}

/**
 * An identity source's value for a request (`method.request.header.X`, `method.request.querystring.X`);
 * undefined when the request does not carry it or it is empty. Other sources (stage variables,
 * context) are not modelled and count as missing.
 */
export function identitySourceValue(source: string, headers: Readonly<Record<string, string>>, query: URLSearchParams): string | undefined {
  const header = /^method\.request\.header\.(.+)$/.exec(source);
  const value = header ? headers[header[1]!.toLowerCase()] : /^method\.request\.querystring\.(.+)$/.exec(source) ? (query.get(source.split(".").slice(3).join(".")) ?? undefined) : undefined;
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Fills an access-log format's `$context.*` variables (JSON-escaped; `-` for what the request did not have), as the stage logs it. */
export function accessLogLine(format: string, context: Readonly<Record<string, string | undefined>>): string {
  return format.replace(/\$context\.[A-Za-z0-9_.]+/g, (variable) => {
    const value = context[variable.slice(1)];
    return JSON.stringify(value === undefined || value === "" ? "-" : value).slice(1, -1);
  });
}

/**
 * Reads access-log lines written in a stage's declared JSON `format` back under the how-to's field
 * names (`fields`: name → `$context` variable): whatever key the stage gives `$context.requestId`,
 * the reader calls it `requestId`. A field the format does not log is left out; a format that is
 * not one JSON object is refused (the rehearsal's checks read JSON lines).
 */
export function accessLogReader(format: string, fields: Readonly<Record<string, string>>): (line: string) => Record<string, string> {
  let declared: unknown;
  try {
    declared = JSON.parse(format);
  } catch {
    declared = undefined;
  }
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) throw new DeclarationMissing(`the stage's access log format is not one JSON object, which the rehearsal's checks read: ${format.slice(0, 80)}`);
  const keyOf = Object.fromEntries(Object.entries(declared as Record<string, unknown>).map(([key, variable]) => [String(variable), key]));
  return (line) => {
    const logged = JSON.parse(line) as Record<string, string>;
    return Object.fromEntries(Object.entries(fields).flatMap(([name, variable]) => (keyOf[variable] !== undefined && keyOf[variable]! in logged ? [[name, logged[keyOf[variable]!]!]] : [])));
  };
}

interface Answer {
  status: number;
  body: string;
  errorMessage?: string;
  errorResponseType?: string;
  integrationStatus?: string;
  authorizerError?: string;
}

const gatewayError = (status: number, type: string, message: string, bodyKey = "message"): Answer => ({ status, body: JSON.stringify({ [bodyKey]: message }), errorMessage: message, errorResponseType: type });

/**
 * The stand-in for the API Gateway custom domain, configured from the DomainName, RestApi,
 * Resource/Method/Integration, Authorizer and Stage resources: TLS that demands a client
 * certificate chained to the truststore object; the method selected from the declared resource
 * tree (403 Missing Authentication Token otherwise); a CUSTOM method's authorizer — 401 without
 * calling it when an identity source is missing or empty, its policy cached for the declared TTL —
 * running the authorizer function's deployed code; the AWS_PROXY integration's function; one
 * access-log line per request in the stage's declared format.
 */
export async function startOrigin(options: OriginOptions): Promise<Listener> {
  const { api } = options;
  const cache = new Map<string, { expires: number; statements: PolicyStatement[]; context?: Record<string, unknown>; principalId?: string }>();

  const authorize = async (authorizer: DeclaredAuthorizer, identity: string[], event: unknown) => {
    const key = `${authorizer.id}\u0000${identity.join("\u0000")}`;
    const cached = cache.get(key);
    if (cached && cached.expires > Date.now()) return cached;
    const result = (await options.lambda(authorizer.functionName)(event)) as { principalId?: string; policyDocument?: { Statement?: PolicyStatement[] }; context?: Record<string, unknown> } | undefined;
    const statements = result?.policyDocument?.Statement;
    if (!Array.isArray(statements)) throw new Error("the authorizer returned no policy document");
    const decision = { expires: Date.now() + authorizer.resultTtlSeconds * 1000, statements, context: result?.context, principalId: result?.principalId };
    if (authorizer.resultTtlSeconds > 0) cache.set(key, decision);
    return decision;
  };

  const server = createServer(
    { key: options.serverCertificate.keyPem, cert: options.serverCertificate.pem + options.serverCertificate.chainPem, ca: api.truststorePem, requestCert: true, rejectUnauthorized: true, minVersion: api.securityPolicy === "TLS_1_0" ? "TLSv1" : "TLSv1.2" },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const started = new Date();
        const requestId = randomUUID();
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const clientCert = apiGatewayClientCert(new Uint8Array(peer.raw));
        const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : Array.isArray(v) ? [[k, v.join(",")]] : [])));
        const url = new URL(req.url ?? "/", "https://api.invalid");
        const path = url.pathname;
        const method = req.method ?? "GET";
        const { route } = matchRoute(api.routes, path, method);
        const methodArn = `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${api.restApiId}/${api.stageName}/${method}${path}`;
        let answer: Answer;
        try {
          answer = await (async (): Promise<Answer> => {
            if (!route) return gatewayError(403, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
            let authorizerContext: Record<string, unknown> | undefined;
            if (route.authorization === "CUSTOM" && route.authorizer) {
              const authorizer = route.authorizer;
              const identity = authorizer.identitySources.map((s) => identitySourceValue(s, headers, url.searchParams));
              if (identity.some((v) => v === undefined)) {
                options.log(`origin authorizer ${authorizer.name} not called: identity source ${authorizer.identitySources[identity.findIndex((v) => v === undefined)]} missing or empty`);
                return gatewayError(401, "UNAUTHORIZED", "Unauthorized");
              }
              const event =
                authorizer.type === "REQUEST"
                  ? authorizerEvent(new Uint8Array(peer.raw), headers, { method, path, requestId, sourceIp: req.socket.remoteAddress, methodArn, resource: route.path })
                  : { type: "TOKEN", authorizationToken: identity[0], methodArn };
              let decision;
              try {
                decision = await authorize(authorizer, identity as string[], event);
              } catch (error) {
                options.log(`origin authorizer ${authorizer.name} failed: ${(error as Error).message}`);
                return { ...gatewayError(500, "AUTHORIZER_CONFIGURATION_ERROR", "Internal server error"), authorizerError: (error as Error).message };
              }
              if (!allows(decision.statements, "execute-api:Invoke", methodArn)) {
                const explicit = decision.statements.some((s) => s.Effect === "Deny");
                return gatewayError(403, "ACCESS_DENIED", `User is not authorized to access this resource${explicit ? " with an explicit deny" : ""}`, "Message");
              }
              authorizerContext = { ...decision.context, principalId: decision.principalId };
            } else if (route.authorization !== "NONE") {
              return gatewayError(403, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
            }
            if (route.integration?.type !== "AWS_PROXY" || !route.integration.functionName) return gatewayError(500, "INTEGRATION_FAILURE", `the rehearsal does not model a ${route.integration?.type ?? "missing"} integration`);
            const event = {
              resource: route.path,
              path,
              httpMethod: method,
              headers,
              multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
              queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
              pathParameters: null,
              stageVariables: null,
              body: chunks.length ? Buffer.concat(chunks).toString("utf8") : null,
              isBase64Encoded: false,
              requestContext: { requestId, resourcePath: route.path, httpMethod: method, stage: api.stageName, domainName: api.domainName, apiId: api.restApiId, authorizer: authorizerContext, identity: { sourceIp: req.socket.remoteAddress, clientCert } },
            };
            const result = (await options.lambda(route.integration.functionName)(event)) as { statusCode?: number; body?: string };
            return { status: result.statusCode ?? 502, body: result.body ?? "", integrationStatus: String(result.statusCode) };
          })();
        } catch (error) {
          options.log(`origin integration failed: ${(error as Error).message}`);
          answer = { ...gatewayError(502, "INTEGRATION_FAILURE", "Internal server error"), integrationStatus: "500" };
        }
        const context: Record<string, string | undefined> = {
          "context.identity.clientCert.issuerDN": clientCert.issuerDN,
          "context.identity.clientCert.subjectDN": clientCert.subjectDN,
          "context.identity.clientCert.clientCertPem": clientCert.clientCertPem,
          // API Gateway logs the serial in decimal (the how-to's access log).
          "context.identity.clientCert.serialNumber": clientCert.serialDecimal,
          "context.identity.clientCert.validity.notBefore": clientCert.validity.notBefore,
          "context.identity.clientCert.validity.notAfter": clientCert.validity.notAfter,
          "context.identity.sourceIp": req.socket.remoteAddress,
          "context.error.message": answer.errorMessage,
          "context.error.responseType": answer.errorResponseType,
          "context.authorizer.error": answer.authorizerError,
          "context.extendedRequestId": requestId.slice(0, 16),
          "context.httpMethod": method,
          "context.integration.error": undefined,
          "context.integration.status": answer.integrationStatus,
          "context.protocol": `HTTP/${req.httpVersion}`,
          "context.requestId": requestId,
          "context.requestTime": formatAwsRequestTime(started),
          "context.requestTimeEpoch": String(started.getTime()),
          "context.resourcePath": route?.path,
          "context.path": path,
          "context.stage": api.stageName,
          "context.domainName": api.domainName,
          "context.apiId": api.restApiId,
          "context.status": String(answer.status),
        };
        if (api.accessLogFormat) appendFileSync(options.accessLogPath, accessLogLine(api.accessLogFormat, context) + "\n");
        res.writeHead(answer.status, { "content-type": "application/json", "x-amzn-requestid": requestId, ...(answer.errorResponseType ? { "x-amzn-errortype": answer.errorResponseType } : {}) }).end(answer.body);
      });
    },
  );
  return listen(server, options.port, "origin");
}

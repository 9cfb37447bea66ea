import { EventEmitter } from "node:events";
import * as https from "node:https";
import { Readable } from "node:stream";
import { compileFunction } from "node:vm";
import { createHash } from "node:crypto";
import { ACCOUNT_ID, REGION } from "../offline/pulumi-mocks";
import { allows, DeclaredFunction } from "./declared";

/** An object a stand-in bucket holds. */
export interface StoredObject {
  readonly body: Uint8Array;
  readonly versionId?: string;
}

/** The buckets the rehearsal's Lambda functions can read: bucket name → (key, version?) → object. */
export type RehearsalBuckets = ReadonlyMap<string, (key: string, versionId?: string) => StoredObject | undefined>;

/** The Lambda runtime's own variables (the resource's environment is added to these, as Lambda does). */
function runtimeEnvironment(fn: DeclaredFunction): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // The role's session, as Lambda hands it over; the stand-in S3 checks the role's policy, not these.
    AWS_ACCESS_KEY_ID: "ASIAREHEARSALEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "rehearsal-secret-access-key-example",
    AWS_SESSION_TOKEN: "rehearsal-session-token",
    TZ: ":UTC",
  };
}

function s3Answer(status: number, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const response = Readable.from([Buffer.from(body)]) as Readable & { statusCode: number; headers: Record<string, string> };
  response.statusCode = status;
  response.headers = headers;
  return response;
}

const s3Error = (status: number, code: string) => s3Answer(status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);

/**
 * node:https as a function in the rehearsal sees it: S3 GetObject requests are answered from the
 * stand-in buckets, signed (SigV4) or refused, and only what the function's role policy allows
 * (`s3:GetObject`, `s3:GetObjectVersion` on the object's ARN); any other host does not resolve
 * (the rehearsal has no network, as a function in a VPC without endpoints would not).
 */
function rehearsalHttps(fn: DeclaredFunction, buckets: RehearsalBuckets, log: (line: string) => void): typeof https {
  const request = (target: string | URL, options: https.RequestOptions, callback?: (res: Readable) => void) => {
    const url = typeof target === "string" ? new URL(target) : target;
    const req = new EventEmitter() as EventEmitter & { end(): void; destroy(error?: Error): void };
    req.destroy = (error?: Error) => void (error && setImmediate(() => req.emit("error", error)));
    req.end = () =>
      setImmediate(() => {
        const host = /^(?:(.+)\.)?s3\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
        if (!host) {
          req.emit("error", Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND" }));
          return;
        }
        const path = decodeURIComponent(url.pathname.slice(1));
        const bucket = host[1] ?? path.split("/")[0]!;
        const key = host[1] ? path : path.split("/").slice(1).join("/");
        const versionId = url.searchParams.get("versionId") ?? undefined;
        const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        const action = versionId ? "s3:GetObjectVersion" : "s3:GetObject";
        let answer: Readable;
        if (!/^AWS4-HMAC-SHA256 Credential=ASIAREHEARSALEXAMPLE\//.test(headers.authorization ?? "")) answer = s3Error(403, "AccessDenied");
        else if (!allows(fn.statements, action, `arn:aws:s3:::${bucket}/${key}`)) {
          log(`${fn.name} s3 ${action} s3://${bucket}/${key}: AccessDenied (not allowed by the function's role policy)`);
          answer = s3Error(403, "AccessDenied");
        } else {
          const read = buckets.get(bucket);
          const object = read?.(key, versionId);
          if (!read) answer = s3Error(404, "NoSuchBucket");
          else if (!object) answer = s3Error(404, versionId ? "NoSuchVersion" : "NoSuchKey");
          else {
            const etag = `"${createHash("md5").update(object.body).digest("hex")}"`;
            answer = headers["if-none-match"] === etag ? s3Answer(304, "", { etag }) : s3Answer(200, object.body, { etag, ...(object.versionId ? { "x-amz-version-id": object.versionId } : {}) });
          }
        }
        callback?.(answer);
      });
    return req;
  };
  return { ...https, request } as unknown as typeof https;
}

/** A Lambda handler: an event in, the function's answer out. */
export type LambdaHandler = (event: unknown, context?: unknown) => Promise<unknown>;

/**
 * Loads a function as Lambda would: its deployed code (the bundle in the resource's archive),
 * run as a CommonJS module with `process.env` holding exactly the resource's environment plus
 * the runtime's variables, its stdout/console going to `log`, and S3 reached through
 * {@link rehearsalHttps}. One load per function: module state persists between invocations, as
 * in a warm container.
 */
export function loadLambda(fn: DeclaredFunction, buckets: RehearsalBuckets, log: (line: string) => void): LambdaHandler {
  const env = { ...runtimeEnvironment(fn), ...fn.environment };
  const write = (chunk: unknown) => {
    for (const line of String(chunk).split("\n")) if (line) log(`${fn.name} ${line}`);
    return true;
  };
  const lambdaProcess = Object.create(process, { env: { value: env }, stdout: { value: { write } }, stderr: { value: { write } } }) as NodeJS.Process;
  const lambdaConsole = Object.fromEntries(["log", "info", "warn", "error", "debug"].map((level) => [level, (...args: unknown[]) => write(args.map(String).join(" "))]));
  const shim = rehearsalHttps(fn, buckets, log);
  const lambdaRequire = (id: string) => (id === "https" || id === "node:https" ? shim : require(id));
  const module = { exports: {} as Record<string, unknown> };
  const filename = `/var/task/${fn.name}/index.js`;
  compileFunction(fn.code, ["exports", "require", "module", "__filename", "__dirname", "process", "console"], { filename })(module.exports, lambdaRequire, module, filename, "/var/task", lambdaProcess, lambdaConsole);
  // The handler setting names the export (`index.handler`: the `handler` export of index.js).
  const exportName = fn.handler.slice(fn.handler.lastIndexOf(".") + 1);
  const handler = module.exports[exportName];
  // Lambda's own error for a handler the code does not export (Runtime.HandlerNotFound).
  if (typeof handler !== "function") throw new Error(`function ${fn.name}: Runtime.HandlerNotFound: ${fn.handler} is undefined or not exported`);
  return (event, context) => Promise.resolve((handler as LambdaHandler)(event, context ?? { awsRequestId: "rehearsal", functionName: fn.name, invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${fn.name}` }));
}

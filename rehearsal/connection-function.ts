import { createContext, runInContext } from "node:vm";
import { connectionFunctionSource } from "../functions/connection-function/source";

/** The connection object CloudFront gives a Connection Function, less allow/deny. */
export interface ConnectionEvent {
  readonly clientIp?: string;
  readonly clientCertificate?: { readonly certificates?: { readonly leaf?: { readonly serialNumber?: unknown; readonly subject?: string; readonly issuer?: string } } };
  readonly clientCertInfo?: { readonly serialNumber?: unknown };
}

/** What a Connection Function decided about one connection ("none": it called neither, which CloudFront treats as a failure). */
export type ConnectionDecision = "allow" | "deny" | "none";

/**
 * Runs the deployed Connection Function code (`source`: the resource's code string; default this repository's) in a `vm` context, as cloudfront-js-2.0 would: the
 * `cloudfront` module's `kvs()` is backed by `exists`. Returns a function that decides one
 * connection: "allow" or "deny" (or "none" if the code called neither, which CloudFront treats as
 * a failure).
 */
export function loadConnectionFunction(exists: (key: string) => Promise<boolean>, log: (line: string) => void = () => undefined, source: string = connectionFunctionSource()) {
  const importLine = /^import cf from 'cloudfront';$/m;
  if (!importLine.test(source)) throw new Error("the connection function must start with: import cf from 'cloudfront';");
  const code = source.replace(importLine, "const cf = __cloudfront;") + "\nconnectionHandler;";
  const context = createContext({ __cloudfront: { kvs: () => ({ exists }) }, console: { log } });
  const handler = runInContext(code, context) as (connection: unknown) => Promise<unknown>;
  return async (connection: ConnectionEvent): Promise<ConnectionDecision> => {
    let decision: ConnectionDecision = "none";
    await handler({ ...connection, allow: () => (decision = "allow"), deny: () => (decision = "deny") });
    return decision;
  };
}

import { request } from "node:https";

/** What a request came to: a response, or the error that prevented one (TLS alert, reset, timeout, DNS). */
export type Outcome = { readonly status: number; readonly body: string; readonly headers: Record<string, string | string[] | undefined> } | { readonly error: string; readonly code?: string };

/** One HTTPS request with node's own client: optional client certificate, CA bundle, timeout. */
export function httpsRequest(options: {
  url: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
  timeoutMs?: number;
}): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(options.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port || 443,
        path: url.pathname + url.search,
        method: options.method ?? "GET",
        headers: { ...(options.body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        cert: options.cert,
        key: options.key,
        ca: options.ca,
        servername: options.servername ?? (/^[\d.]+$/.test(url.hostname) ? undefined : url.hostname),
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.message, code: error.code }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`), { code: "ETIMEDOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.message, code: error.code }));
    req.end(options.body);
  });
}

/** Errors that say nothing about TLS: the server was never reached, so they are never a refusal. */
const UNREACHED: Readonly<Record<string, string>> = {
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed",
  ETIMEDOUT: "timed out",
  ECONNREFUSED: "nothing listening",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/** A short description of an outcome for a check table: what it is, not what we hoped. */
export function describeOutcome(outcome: Outcome): string {
  if (!("error" in outcome)) return `HTTP ${outcome.status}`;
  const unreached = UNREACHED[outcome.code ?? ""];
  if (unreached) return `${unreached} (${outcome.code})`;
  if (/certificate|self.signed|unable to verify|alert/i.test(outcome.error)) return `TLS error: ${outcome.error}`;
  return `connection refused (${outcome.code ?? outcome.error})`;
}

/** True when the server refused: a TLS alert or reset during or right after the handshake, or a 4xx. Never a 200, a timeout or a DNS failure. */
export function isRefusal(outcome: Outcome): boolean {
  if ("error" in outcome) return !(outcome.code && outcome.code in UNREACHED) && !/unable to verify|self.signed certificate|certificate has expired|Hostname\/IP does not match/i.test(outcome.error);
  return outcome.status >= 400 && outcome.status < 500;
}

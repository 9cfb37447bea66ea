import { X509Certificate } from "node:crypto";
import { formatTable } from "../cli/text-table";
import { describeOutcome, httpsRequest, isRefusal, Outcome } from "./https-client";

/** A client identity: a certificate chain (leaf first) and its key, PEM. */
export interface ClientIdentity {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Where and with what the how-to's Test section is run. */
export interface CheckTarget {
  /** The distribution's URL, e.g. https://www.example.com. */
  readonly edgeUrl: string;
  /** The API custom domain's URL, to prove CloudFront cannot be bypassed. */
  readonly apiUrl?: string;
  /** CA bundle to trust for the servers' certificates (default: the system's). */
  readonly caPem?: string;
  /** TLS server name when connecting by IP. */
  readonly servername?: string;
  readonly user: ClientIdentity;
  readonly revoked?: ClientIdentity;
  readonly foreign?: ClientIdentity;
  /** Reads the API's access log lines (the rehearsal has them; a deployment's are in CloudWatch). */
  readonly accessLog?: () => string[];
  readonly timeoutMs?: number;
}

/** One row of the result table. */
export interface CheckResult {
  readonly name: string;
  readonly expected: string;
  readonly observed: string;
  readonly pass: boolean;
}

const call = (target: CheckTarget, url: string, identity?: ClientIdentity, method = "GET", body?: string): Promise<Outcome> =>
  httpsRequest({ url, method, body, cert: identity?.certPem, key: identity?.keyPem, ca: target.caPem, servername: target.servername, timeoutMs: target.timeoutMs });

/**
 * The how-to's Test section as checks: no certificate is refused; the user's certificate gets the
 * S3 content and a POST /api answer that names the user; the API log shows CloudFront's
 * certificate, not the user's; the user cannot reach the API directly; revoked and foreign
 * certificates are refused. Checks whose inputs are not given are left out.
 */
export async function runChecks(target: CheckTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const edge = target.edgeUrl.replace(/\/+$/, "");

  const anonymous = await call(target, `${edge}/`);
  results.push({ name: "no client certificate", expected: "refused at the edge", observed: describeOutcome(anonymous), pass: isRefusal(anonymous) });

  const site = await call(target, `${edge}/`, target.user);
  results.push({ name: "user certificate, GET /", expected: "HTTP 200 with the site", observed: describeOutcome(site), pass: "status" in site && site.status === 200 && site.body.length > 0 });

  const api = await call(target, `${edge}/api`, target.user, "POST", JSON.stringify({ check: "post-api", at: new Date().toISOString() }));
  let answer: { requestId?: string; viewer?: { subject?: string } } | undefined;
  if ("status" in api && api.status === 200) {
    try {
      answer = JSON.parse(api.body);
    } catch {
      answer = undefined;
    }
  }
  results.push({
    name: "user certificate, POST /api",
    expected: "HTTP 200; the backend names the user's certificate",
    observed: `${describeOutcome(api)}${answer?.viewer?.subject ? `; viewer ${answer.viewer.subject}` : ""}`,
    pass: !!answer?.viewer?.subject && answer.viewer.subject.split(",").includes(`CN=${commonName(target.user.certPem)}`),
  });

  if (target.accessLog) {
    const line = target.accessLog().map((l) => JSON.parse(l) as Record<string, string>).find((r) => r.requestId === answer?.requestId);
    results.push({
      name: "API access log of that request",
      expected: "certSubjectDN is CloudFront's certificate",
      observed: line ? `certSubjectDN ${line.certSubjectDN}` : "no log line for the request",
      pass: !!line && /^CN=CloudFront(,|$)/.test(line.certSubjectDN ?? ""),
    });
  }

  if (target.apiUrl) {
    const bypass = await call(target, `${target.apiUrl.replace(/\/+$/, "")}/api`, target.user, "POST", "{}");
    results.push({ name: "user certificate straight to the API", expected: "refused (CloudFront cannot be bypassed)", observed: describeOutcome(bypass), pass: isRefusal(bypass) });
  }
  if (target.revoked) {
    const revoked = await call(target, `${edge}/`, target.revoked);
    results.push({ name: "revoked certificate", expected: "refused at the edge", observed: describeOutcome(revoked), pass: isRefusal(revoked) });
  }
  if (target.foreign) {
    const foreign = await call(target, `${edge}/`, target.foreign);
    results.push({ name: "certificate from another CA", expected: "refused at the edge", observed: describeOutcome(foreign), pass: isRefusal(foreign) });
  }
  return results;
}

function commonName(pem: string): string {
  const cn = new X509Certificate(pem).subject.split("\n").find((part) => part.startsWith("CN="));
  return cn ? cn.slice(3) : "";
}

/** The results as a text table. */
export function formatChecks(results: readonly CheckResult[]): string {
  return formatTable(
    ["#", "check", "expected", "observed", "result"],
    results.map((r, i) => [`${i + 1}`, r.name, r.expected, r.observed, r.pass ? "pass" : "FAIL"]),
    { rule: true },
  );
}

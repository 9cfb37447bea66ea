import type { IssuerResponse } from "../functions/ca-issuer";
import { handle as renew, RenewalResult, RenewerConfig } from "../functions/origin-cert-renewer";
import { jsonLogger } from "../functions/shared/log";
import { createCsr } from "../pki/csr";
import { generatePrivateKey, privateKeyToPem } from "../pki/local-signer";
import type { RehearsalAcm } from "./acm";
import type { RehearsalPki } from "./certificates";
import { CheckResult, ClientIdentity, runChecks } from "./checks";
import { httpsRequest } from "./https-client";

const DAY_MS = 86400_000;

/** The short-lived origin certificate the renewal is rehearsed with: 2 days, renewed when 1 remains. */
export const REHEARSAL_RENEWAL = { lifetimeDays: 2, renewBeforeDays: 1, issuedDaysAgo: 1.5 } as const;

/** What the renewal rehearsal needs of a running rehearsal. */
export interface RenewalTarget {
  readonly pki: RehearsalPki;
  readonly acm: RehearsalAcm;
  /** The listeners by IP, with the TLS name and CA they need. */
  readonly edgeUrl: string;
  readonly apiUrl: string;
  readonly servername: string;
  readonly user: ClientIdentity;
  /** The API's access log lines (each names the client certificate CloudFront presented). */
  readonly accessLog: () => string[];
  readonly log: (line: string) => void;
  /** The renewer's configuration, as its Function resource's environment declares it. */
  readonly renewer: RenewerConfig;
  /** ca-issuer of the CA stack (in memory), optionally at another time than now. */
  readonly issue: (request: Record<string, unknown>, at?: Date) => Promise<IssuerResponse>;
}

/** The decimal serial API Gateway logs (`certSerialNumber`) for a hex serial. */
const decimal = (serialHex: string) => BigInt(`0x${serialHex}`).toString(10);

/**
 * origin-cert-renewer's own logic (functions/origin-cert-renewer, configured as its Function
 * resource declares, with the CA stack's ca-issuer in memory and the ACM stand-in for ACM) on a fake clock: a 2-day CloudFront certificate,
 * issued 1.5 days ago, is imported as `pulumi up` would; the renewer is run a day earlier (left
 * alone), now (renewed: new key, same ARN, the how-to's checks with a smoke-test certificate) and
 * half a day later (not renewed again), while viewers keep calling `POST /api` through the edge.
 * One check row: every call answered 200, and the API saw the old certificate before the swap and
 * the new one after it.
 */
export async function rehearseRenewal(target: RenewalTarget): Promise<CheckResult> {
  const row = { name: "origin certificate renews itself", expected: "left alone, renewed when due (same ARN), not again; /api answers throughout" };
  const realNow = Date.now();
  // The first import, as the Pulumi program makes it: a short-lived certificate, 1.5 days old.
  const firstKey = generatePrivateKey("ecdsa-p256");
  const subject = target.renewer.subject;
  const issued = await target.issue({ csrPem: createCsr(firstKey, subject), purposes: ["client_auth"], lifetimeDays: REHEARSAL_RENEWAL.lifetimeDays }, new Date(realNow - REHEARSAL_RENEWAL.issuedDaysAgo * DAY_MS));
  if ("error" in issued) return { ...row, observed: `the CA refused the first origin certificate: ${issued.error.message}`, pass: false };
  const first = { pem: issued.certificatePem, serialHex: issued.serialNumber };
  await target.acm.reimport(target.acm.arn, { certificatePem: issued.certificatePem, chainPem: issued.chainPem, privateKeyPem: privateKeyToPem(firstKey) });

  let now = new Date(realNow - DAY_MS);
  // The declared configuration, with the short lifetime the fake clock rehearses and the loopback URLs.
  const config: RenewerConfig = { ...target.renewer, lifetimeDays: REHEARSAL_RENEWAL.lifetimeDays, renewBeforeDays: REHEARSAL_RENEWAL.renewBeforeDays, smokeTest: { edgeUrl: target.edgeUrl, apiUrl: target.apiUrl } };
  const run = (): Promise<RenewalResult> =>
    renew({}, {
      config,
      acm: target.acm,
      issue: (request) => target.issue(request),
      generateKey: generatePrivateKey,
      runChecks: (checks) => runChecks({ ...checks, caPem: target.pki.serverCaPem, servername: target.servername }),
      clock: () => now,
      log: jsonLogger((line) => target.log(`origin-cert-renewer ${line}`)),
    });

  const before = await run();
  // Viewers keep calling the API through the edge while the renewer swaps the certificate.
  const statuses: string[] = [];
  let stop = false;
  const viewers = (async () => {
    while (!stop || statuses.length < 6) {
      const outcome = await httpsRequest({ url: `${target.edgeUrl}/api`, method: "POST", body: "{}", cert: target.user.certPem, key: target.user.keyPem, ca: target.pki.serverCaPem, servername: target.servername });
      statuses.push("status" in outcome ? String(outcome.status) : outcome.error);
    }
  })();
  while (statuses.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  now = new Date(realNow);
  let renewed: RenewalResult | undefined;
  let failure: string | undefined;
  try {
    renewed = await run();
  } catch (error) {
    failure = (error as Error).message.split("\n")[0];
  }
  const callsBefore = statuses.length;
  while (statuses.length < callsBefore + 3) await new Promise((resolve) => setTimeout(resolve, 5));
  stop = true;
  await viewers;
  now = new Date(realNow + DAY_MS / 2);
  const after = failure ? undefined : await run();

  const served = target.accessLog().map((l) => (JSON.parse(l) as { certSerialNumber?: string }).certSerialNumber);
  const oldCalls = served.filter((s) => s === decimal(first.serialHex)).length;
  const newCalls = renewed ? served.filter((s) => s === decimal(renewed!.serialNumber)).length : 0;
  const failed = statuses.filter((s) => s !== "200");
  const pass = before.reason === "not-due" && renewed?.renewed === true && after?.renewed === false && failed.length === 0 && oldCalls > 0 && newCalls > 0;
  const observed = failure
    ? `renewal failed: ${failure}`
    : `${before.reason}, ${renewed!.reason} (${first.serialHex.slice(0, 8)}… → ${renewed!.serialNumber.slice(0, 8)}…), ${after!.reason}; ${statuses.length} /api calls, ${failed.length ? `${failed.length} failed (${failed[0]})` : "all 200"}; origin saw old ${oldCalls}, new ${newCalls}`;
  return { ...row, observed, pass };
}

import { createHash, timingSafeEqual, X509Certificate } from "node:crypto";
import { normaliseSerial } from "../../pki/serial";
import { dnValue, parseAwsDate, parseAwsDn } from "./aws-format";

/** Who may call the API, and how CloudFront proves it is CloudFront. */
export interface AuthorizerPolicy {
  /** Allowed (CN, OU) pairs of the client certificate: CloudFront's origin certificate. */
  readonly allowedSubjects: readonly { readonly commonName: string; readonly organizationalUnit: string }[];
  /** Name of the secret header CloudFront adds to origin requests (case-insensitive). */
  readonly secretHeaderName: string;
  /** Accepted secret values: the current one, and the previous one while a rotation settles. */
  readonly secretValues: readonly string[];
}

/** What is known about revocation right now. */
export type RevocationStatus = { readonly available: true; readonly revokedSerials: ReadonlySet<string> } | { readonly available: false; readonly reason: string };

/** The decision, with the reason that is logged (never the secret or the certificate). */
export interface Decision {
  readonly allow: boolean;
  readonly reason: string;
  readonly subject?: string;
  readonly serialNumber?: string;
}

const deny = (reason: string, extra: Partial<Decision> = {}): Decision => ({ allow: false, reason, ...extra });

/** Constant-time comparison of two strings of any length (compares their SHA-256 digests). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

function header(event: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (!source || typeof source !== "object") continue;
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (key.toLowerCase() !== wanted) continue;
      if (typeof value === "string") return value;
      if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0];
      return undefined; // repeated header: refuse rather than pick one
    }
  }
  return undefined;
}

/**
 * The authorizer's decision for a REST API REQUEST authorizer event. Allows only when the request
 * carries a client certificate whose subject CN and OU are on the allow-list, whose validity holds,
 * whose serial is not revoked (and revocation status is known), and when the secret origin header
 * matches. Anything else — including malformed events of any shape — is a deny with a reason.
 */
export function decide(event: unknown, policy: AuthorizerPolicy, revocation: RevocationStatus, now: Date): Decision {
  try {
    if (!event || typeof event !== "object") return deny("event is not an object");
    const e = event as Record<string, unknown>;
    const identity = (e.requestContext as { identity?: { clientCert?: unknown } } | undefined)?.identity;
    const clientCert = identity?.clientCert as Record<string, unknown> | null | undefined;
    if (!clientCert || typeof clientCert !== "object") return deny("no client certificate");

    const secret = header(e, policy.secretHeaderName);
    if (secret === undefined) return deny("origin secret header missing");
    // Compare against every accepted value, so the time taken does not say which one matched.
    const matches = policy.secretValues.map((expected) => secretEquals(secret, expected));
    if (!matches.includes(true)) return deny("origin secret header does not match");

    const attributes = parseAwsDn(clientCert.subjectDN);
    if (!attributes) return deny("subject DN unreadable");
    const commonName = dnValue(attributes, "CN");
    const organizationalUnit = dnValue(attributes, "OU");
    const subject = String(clientCert.subjectDN);
    if (!policy.allowedSubjects.some((s) => s.commonName === commonName && s.organizationalUnit === organizationalUnit)) {
      return deny("subject not on the allow-list", { subject });
    }

    if (typeof clientCert.clientCertPem !== "string") return deny("certificate PEM missing", { subject });
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(clientCert.clientCertPem);
    } catch {
      return deny("certificate PEM unreadable", { subject });
    }
    // The PEM is what API Gateway verified; the DN string must say the same thing.
    const pemSubject = certificate.subject.split("\n");
    if (!pemSubject.includes(`CN=${commonName}`) || !pemSubject.includes(`OU=${organizationalUnit}`)) return deny("subject DN does not match the certificate", { subject });
    const serialNumber = normaliseSerial(certificate.serialNumber);

    const validity = clientCert.validity as { notBefore?: unknown; notAfter?: unknown } | undefined;
    const notBefore = parseAwsDate(validity?.notBefore) ?? new Date(certificate.validFrom);
    const notAfter = parseAwsDate(validity?.notAfter) ?? new Date(certificate.validTo);
    const from = Math.max(notBefore.getTime(), new Date(certificate.validFrom).getTime());
    const to = Math.min(notAfter.getTime(), new Date(certificate.validTo).getTime());
    if (!(now.getTime() >= from && now.getTime() <= to)) return deny("certificate outside its validity period", { subject, serialNumber });

    if (!revocation.available) return deny(`revocation status unknown: ${revocation.reason}`, { subject, serialNumber });
    if (revocation.revokedSerials.has(serialNumber)) return deny("certificate revoked", { subject, serialNumber });

    return { allow: true, reason: "allowed", subject, serialNumber };
  } catch (error) {
    return deny(`malformed event (${(error as Error).name})`);
  }
}

/** The authorizer's answer to API Gateway: an IAM policy for this method, and the reason in the context. */
export function authorizerResponse(decision: Decision, methodArn: unknown) {
  return {
    principalId: decision.allow ? `cloudfront:${decision.serialNumber}` : "denied",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: decision.allow ? "Allow" : "Deny", Resource: typeof methodArn === "string" && methodArn.startsWith("arn:") ? methodArn : "*" }],
    },
    context: { reason: decision.reason, serialNumber: decision.serialNumber ?? "" },
  };
}

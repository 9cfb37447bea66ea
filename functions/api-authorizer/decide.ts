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
  /** The issuing CA (PEM) that must have signed CloudFront's origin certificate. */
  readonly issuingCaPem: string;
}

/** Revoked serials (normalised hex), as a set or the CRL reader's map; only `has` is used. */
export interface RevokedSerials {
  has(serial: string): boolean;
  readonly size: number;
}

/** What is known about revocation right now. */
export type RevocationStatus = { readonly available: true; readonly revokedSerials: RevokedSerials } | { readonly available: false; readonly reason: string };

/** The decision, with the reason that is logged (never the secret or the certificate). */
export interface Decision {
  readonly allow: boolean;
  readonly reason: string;
  readonly subject?: string;
  readonly serialNumber?: string;
}

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
/** A method ARN as API Gateway sends it: `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>`, no wildcard. */
const METHOD_ARN = /^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[^*?/]+\/[^*?]+$/;

/** What is learnt once per distinct certificate PEM: parsing it and checking its signature cost ~100 µs. */
interface CertificateFacts {
  /** Why the certificate can never be accepted from this issuer, if it cannot. */
  readonly problem?: string;
  readonly subjectLines: readonly string[];
  readonly serialNumber: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/**
 * Checks certificates against one issuing CA and remembers the answer for the last
 * {@link CERTIFICATE_CACHE_SIZE} PEMs (CloudFront presents the same origin certificate on every
 * request). Only facts that cannot change with time are cached; validity is checked per request.
 */
export class IssuerCheck {
  private readonly issuer?: X509Certificate;
  private readonly issuerProblem?: string;
  private readonly issuerNotBefore: number = 0;
  private readonly issuerNotAfter: number = 0;
  private readonly facts = new Map<string, CertificateFacts>();

  constructor(issuingCaPem: string) {
    try {
      this.issuer = new X509Certificate(issuingCaPem);
      this.issuerNotBefore = Date.parse(this.issuer.validFrom);
      this.issuerNotAfter = Date.parse(this.issuer.validTo);
    } catch {
      this.issuerProblem = "the issuing CA certificate is unreadable";
    }
  }

  /** Why the issuing CA itself cannot vouch for anything at `now`, if it cannot. */
  issuerProblemAt(now: number): string | undefined {
    if (this.issuerProblem) return this.issuerProblem;
    if (!(now >= this.issuerNotBefore && now <= this.issuerNotAfter)) return "the issuing CA certificate is outside its validity period";
    return undefined;
  }

  /** The facts of `pem`, from the cache or worked out now. */
  factsOf(pem: string): CertificateFacts {
    const cached = this.facts.get(pem);
    if (cached) {
      // Least recently used goes first: re-insert on a hit.
      this.facts.delete(pem);
      this.facts.set(pem, cached);
      return cached;
    }
    const facts = this.examine(pem);
    this.facts.set(pem, facts);
    if (this.facts.size > CERTIFICATE_CACHE_SIZE) this.facts.delete(this.facts.keys().next().value!);
    return facts;
  }

  /** How many certificates are remembered (for tests). */
  get cachedCount(): number {
    return this.facts.size;
  }

  private examine(pem: string): CertificateFacts {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      return { problem: "certificate PEM unreadable", subjectLines: [], serialNumber: "", notBefore: 0, notAfter: -1 };
    }
    const base = { subjectLines: certificate.subject.split("\n"), serialNumber: normaliseSerial(certificate.serialNumber), notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
    const problem = (() => {
      if (!this.issuer) return this.issuerProblem;
      // Issuer name (and key identifiers) must match, and the issuing CA's key must have signed it.
      if (!certificate.checkIssued(this.issuer)) return "certificate not issued by the issuing CA";
      if (!certificate.verify(this.issuer.publicKey)) return "certificate signature does not verify with the issuing CA's key";
      if (certificate.ca) return "certificate is a CA certificate";
      // Node 22 names the extended key usage `keyUsage`; later versions `extKeyUsage`.
      const usages = (certificate as X509Certificate & { extKeyUsage?: string[] }).extKeyUsage ?? certificate.keyUsage;
      if (!Array.isArray(usages) || !usages.includes(CLIENT_AUTH)) return "certificate lacks the clientAuth extended key usage";
      return undefined;
    })();
    return problem ? { ...base, problem } : base;
  }
}

/** How many distinct certificates each issuer check remembers. */
export const CERTIFICATE_CACHE_SIZE = 64;

const issuerChecks = new Map<string, IssuerCheck>();

/** The check for `issuingCaPem`, one per issuing CA PEM in this container (there is one in practice). */
export function issuerCheckFor(issuingCaPem: string): IssuerCheck {
  let check = issuerChecks.get(issuingCaPem);
  if (!check) {
    if (issuerChecks.size >= 4) issuerChecks.clear();
    check = new IssuerCheck(issuingCaPem);
    issuerChecks.set(issuingCaPem, check);
  }
  return check;
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
 * carries a client certificate issued and signed by the issuing CA, for clientAuth, whose subject
 * CN and OU are on the allow-list, whose validity holds, whose serial is not revoked (and
 * revocation status is known), and when the secret origin header matches. Anything else —
 * including malformed events of any shape — is a deny with a reason. API Gateway's truststore
 * checks the chain too; this is the defence in depth behind it.
 */
export function decide(event: unknown, policy: AuthorizerPolicy, revocation: RevocationStatus, now: Date): Decision {
  try {
    if (!event || typeof event !== "object") return deny("event is not an object");
    const e = event as Record<string, unknown>;
    // The Allow names this method: without one (or with a wildcard in it) it would allow more.
    if (typeof e.methodArn !== "string" || !METHOD_ARN.test(e.methodArn)) return deny("no usable methodArn in the event");
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
    const issuer = issuerCheckFor(policy.issuingCaPem);
    const certificate = issuer.factsOf(clientCert.clientCertPem);
    if (certificate.problem) return deny(certificate.problem, { subject, serialNumber: certificate.serialNumber || undefined });
    // The PEM is what API Gateway verified; the DN string must say the same thing.
    if (!certificate.subjectLines.includes(`CN=${commonName}`) || !certificate.subjectLines.includes(`OU=${organizationalUnit}`)) return deny("subject DN does not match the certificate", { subject });
    const serialNumber = certificate.serialNumber;

    const validity = clientCert.validity as { notBefore?: unknown; notAfter?: unknown } | undefined;
    const from = Math.max(parseAwsDate(validity?.notBefore)?.getTime() ?? certificate.notBefore, certificate.notBefore);
    const to = Math.min(parseAwsDate(validity?.notAfter)?.getTime() ?? certificate.notAfter, certificate.notAfter);
    if (!(now.getTime() >= from && now.getTime() <= to)) return deny("certificate outside its validity period", { subject, serialNumber });
    const issuerProblem = issuer.issuerProblemAt(now.getTime());
    if (issuerProblem) return deny(issuerProblem, { subject, serialNumber });

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

import { isIP } from "node:net";
import type { LeafOrder } from "./ca";
import { parseCsr } from "./csr";
import { PkiError } from "./errors";
import { wildcardMatches } from "./glob";
import type { SubjectAltName } from "./extensions";
import { parseIpAddress } from "./ip-address";
import { checkNameCharacters, SubjectFields, validateSubject } from "./names";
import { CertificatePurpose, DEFAULT_LEAF_LIFETIME_DAYS, DEFAULT_MAX_LEAF_LIFETIME_DAYS, PURPOSES } from "./profiles";

/**
 * Which names one purpose may certify. Patterns are globs (`*` matches any run of characters,
 * everything else literally, case-sensitive). DNS rules are `*` (any), `.example.com` (any name
 * below example.com) or an exact name (case-insensitive). IP rules are exact addresses or `*`.
 */
export interface NamePolicy {
  /** Allowed subject CN patterns; a CN is required. */
  readonly commonNames: readonly string[];
  /** Allowed subject OU patterns; an absent OU is checked as the empty string. */
  readonly organizationalUnits: readonly string[];
  /** Allowed DNS SAN rules. Empty: no DNS SANs. */
  readonly dnsNames: readonly string[];
  /** Allowed IP SANs. Empty: no IP SANs. */
  readonly ipAddresses: readonly string[];
}

/** What the CA will issue: lifetime bounds and a name policy per purpose. */
export interface IssuancePolicy {
  /** Longest leaf lifetime in days (default 365). */
  readonly maxLifetimeDays: number;
  /** Lifetime when a request names none (default 90, the how-to's value). */
  readonly defaultLifetimeDays: number;
  readonly names: Readonly<Record<CertificatePurpose, NamePolicy>>;
}

/** A policy that allows any name: for a local CA the operator owns. Deployed CAs configure their own. */
export const PERMISSIVE_NAME_POLICY: NamePolicy = { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] };

/** The default policy: lifetimes 1–365 days (90 when unspecified) and permissive names. */
export const DEFAULT_ISSUANCE_POLICY: IssuancePolicy = {
  maxLifetimeDays: DEFAULT_MAX_LEAF_LIFETIME_DAYS,
  defaultLifetimeDays: DEFAULT_LEAF_LIFETIME_DAYS,
  names: { client_auth: PERMISSIVE_NAME_POLICY, server_auth: PERMISSIVE_NAME_POLICY },
};

/** The ca-issuer `issue` request (ARCHITECTURE.md), as it arrives: nothing in it is trusted yet. */
export interface IssueRequest {
  readonly csrPem?: unknown;
  readonly purposes?: unknown;
  readonly lifetimeDays?: unknown;
  readonly subject?: unknown;
  readonly sans?: unknown;
  readonly idempotencyKey?: unknown;
}

/** A request that passed every check: what to issue, and the idempotency key if one was given. */
export interface ValidatedRequest {
  readonly order: LeafOrder;
  readonly idempotencyKey?: string;
}

/**
 * Checks an issue request against the policy and returns the order to sign. Pure: no I/O, no
 * signing; throws a PkiError with a stable code and the offending field on the first problem.
 * The CSR's subject is used, with any `subject` fields of the request overriding it; SANs are
 * those of the CSR plus the request's `sans`, and all of them must pass the name policy of every
 * requested purpose.
 */
export function validateIssueRequest(request: unknown, policy: IssuancePolicy = DEFAULT_ISSUANCE_POLICY): ValidatedRequest {
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    throw new PkiError("REQUEST_INVALID", "the request must be a JSON object with csrPem, purposes and optionally lifetimeDays, subject, sans, idempotencyKey", "request");
  }
  const r = request as IssueRequest;
  const known = new Set(["csrPem", "purposes", "lifetimeDays", "subject", "sans", "idempotencyKey", "action"]);
  const unknown = Object.keys(r).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new PkiError("REQUEST_INVALID", `unknown request field ${unknown[0]}; allowed: ${[...known].filter((k) => k !== "action").join(", ")}`, unknown[0]);
  }
  const purposes = validatePurposes(r.purposes);
  const lifetimeDays = validateLifetime(r.lifetimeDays, policy);
  const idempotencyKey = validateIdempotencyKey(r.idempotencyKey);
  if (typeof r.csrPem !== "string" || r.csrPem.trim() === "") {
    throw new PkiError("REQUEST_INVALID", "csrPem must be a PEM-encoded PKCS#10 certificate request", "csrPem");
  }
  const csr = parseCsr(r.csrPem, "csrPem");
  const subject: SubjectFields = r.subject === undefined ? csr.subject : { ...csr.subject, ...validateSubject(r.subject, "subject") };
  const csrSans = csr.sans.map((san, i) => checkSan(san, `csrPem.subjectAltName[${i}]`));
  const sans = dedupeSans([...csrSans, ...validateSans(r.sans)]);
  if (sans.length > MAX_SANS) {
    throw new PkiError("SAN_INVALID", `the certificate would carry ${sans.length} subjectAltNames; at most ${MAX_SANS} are certified (the CSR's and the request's together)`, "sans");
  }
  for (const purpose of purposes) checkNames(subject, sans, purpose, policy.names[purpose]);
  if (purposes.includes("server_auth") && !sans.some((s) => s.type === "dns" || s.type === "ip")) {
    throw new PkiError("SAN_REQUIRED", "a server_auth certificate needs at least one DNS or IP subjectAltName (clients ignore the CN)", "sans");
  }
  const order: LeafOrder = { subject, sans, purposes, lifetimeDays, publicKey: csr.publicKey };
  return idempotencyKey === undefined ? { order } : { order, idempotencyKey };
}

/** Checks `purposes`: a non-empty array of known, distinct purposes. */
export function validatePurposes(value: unknown): CertificatePurpose[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    throw new PkiError("PURPOSE_MISSING", `purposes must name at least one of ${PURPOSES.join(", ")}`, "purposes");
  }
  if (!Array.isArray(value)) throw new PkiError("REQUEST_INVALID", `purposes must be an array of ${PURPOSES.join(", ")}`, "purposes");
  const result: CertificatePurpose[] = [];
  for (const item of value) {
    if (!PURPOSES.includes(item as CertificatePurpose)) {
      throw new PkiError("PURPOSE_UNKNOWN", `purpose ${JSON.stringify(item)} is unknown; allowed: ${PURPOSES.join(", ")}`, "purposes");
    }
    if (!result.includes(item)) result.push(item);
  }
  return result;
}

/** Checks `lifetimeDays`: a whole number from 1 to the policy's maximum; the policy default when absent. */
export function validateLifetime(value: unknown, policy: IssuancePolicy): number {
  if (value === undefined) return Math.min(policy.defaultLifetimeDays, policy.maxLifetimeDays);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > policy.maxLifetimeDays) {
    throw new PkiError("LIFETIME_OUT_OF_RANGE", `lifetimeDays must be a whole number from 1 to ${policy.maxLifetimeDays}; got ${JSON.stringify(value)}`, "lifetimeDays");
  }
  return value;
}

function validateIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[A-Za-z0-9._:\/-]{8,128}$/.test(value)) {
    throw new PkiError("REQUEST_INVALID", "idempotencyKey must be 8–128 characters of letters, digits and . _ : / -", "idempotencyKey");
  }
  return value;
}

/**
 * Most subjectAltNames one certificate carries. Without a bound, a 6 MB request under a permissive
 * name policy would be signed and then fail to be recorded (a DynamoDB item holds at most 400 KB:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html), an
 * untyped error after a KMS signature.
 */
export const MAX_SANS = 100;

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks request SANs: an array of `{ type: "dns" | "ip", value }` (or plain strings, read as DNS names or IPs). */
export function validateSans(value: unknown, field = "sans"): SubjectAltName[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PkiError("SAN_INVALID", `${field} must be an array of DNS names or IP addresses`, field);
  if (value.length > MAX_SANS) throw new PkiError("SAN_INVALID", `${field} has ${value.length} entries; at most ${MAX_SANS} subjectAltNames are certified`, field);
  return value.map((item, index) => {
    const raw = typeof item === "string" ? { type: isIP(item) ? "ip" : "dns", value: item } : item;
    if (raw === null || typeof raw !== "object" || (raw.type !== "dns" && raw.type !== "ip") || typeof raw.value !== "string") {
      throw new PkiError("SAN_INVALID", `${field}[${index}] must be a DNS name, an IP address or { type: "dns" | "ip", value }`, `${field}[${index}]`);
    }
    return checkSan(raw as SubjectAltName, `${field}[${index}]`);
  });
}

/** A SAN in the form it is certified in: DNS names in lower case, IP addresses in canonical form. */
function checkSan(san: SubjectAltName, field: string): SubjectAltName {
  checkNameCharacters(san.value, field, "SAN_INVALID");
  if (san.type === "ip") return { type: "ip", value: parseIpAddress(san.value, field).canonical };
  const value = san.value.toLowerCase();
  if (value.length > 253 || !DNS_NAME.test(value)) {
    throw new PkiError("SAN_INVALID", `${field}: ${JSON.stringify(san.value)} is not a valid DNS name`, field);
  }
  return { type: "dns", value };
}

function dedupeSans(sans: SubjectAltName[]): SubjectAltName[] {
  const seen = new Set<string>();
  return sans.filter((s) => {
    const key = `${s.type}:${s.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkNames(subject: SubjectFields, sans: readonly SubjectAltName[], purpose: CertificatePurpose, policy: NamePolicy): void {
  if (!subject.commonName) throw new PkiError("SUBJECT_CN_MISSING", "the subject needs a common name (CN), from the CSR or subject.commonName", "subject.commonName");
  if (!policy.commonNames.some((p) => globMatches(p, subject.commonName!))) {
    throw new PkiError("SUBJECT_CN_NOT_ALLOWED", `CN ${JSON.stringify(subject.commonName)} is not allowed for ${purpose}; allowed: ${policy.commonNames.join(", ") || "(none)"}`, "subject.commonName");
  }
  const ou = subject.organizationalUnit ?? "";
  if (!policy.organizationalUnits.some((p) => globMatches(p, ou))) {
    throw new PkiError("SUBJECT_OU_NOT_ALLOWED", `OU ${JSON.stringify(ou)} is not allowed for ${purpose}; allowed: ${policy.organizationalUnits.join(", ") || "(none)"}`, "subject.organizationalUnit");
  }
  for (const san of sans) {
    const allowed = san.type === "dns" ? policy.dnsNames.some((rule) => dnsRuleMatches(rule, san.value)) : policy.ipAddresses.some((rule) => ipRuleMatches(rule, san.value));
    if (!allowed) {
      const rules = san.type === "dns" ? policy.dnsNames : policy.ipAddresses;
      throw new PkiError("SAN_NOT_ALLOWED", `${san.type.toUpperCase()} name ${san.value} is not allowed for ${purpose}; allowed: ${rules.join(", ") || "(none)"}`, "sans");
    }
  }
}

/** Glob match: `*` is any run of characters; everything else is literal (see {@link wildcardMatches}). */
export function globMatches(pattern: string, value: string): boolean {
  return wildcardMatches(pattern, value);
}

/** IP rule match: `*` any, otherwise the same address, compared in canonical form (`::FFFF:10.1.2.3` is `::ffff:a01:203`). */
export function ipRuleMatches(rule: string, canonicalAddress: string): boolean {
  if (rule === "*") return true;
  try {
    return parseIpAddress(rule, "ipAddresses").canonical === canonicalAddress;
  } catch {
    return false; // validateNamePolicy refuses such rules; a hand-built policy's bad rule matches nothing
  }
}

/** DNS rule match: `*` any, `.example.com` strictly below example.com, otherwise the exact name. */
export function dnsRuleMatches(rule: string, name: string): boolean {
  const r = rule.toLowerCase();
  const n = name.toLowerCase();
  if (r === "*") return true;
  if (r.startsWith(".")) return n.endsWith(r) && n.length > r.length;
  return n === r;
}

/** Checks a name policy read from configuration: arrays of strings, each present. */
export function validateNamePolicy(value: unknown, field: string): NamePolicy {
  if (value === null || typeof value !== "object") throw new PkiError("REQUEST_INVALID", `${field} must be an object with commonNames, organizationalUnits, dnsNames, ipAddresses`, field);
  const v = value as Record<string, unknown>;
  const list = (key: keyof NamePolicy): string[] => {
    const item = v[key];
    if (!Array.isArray(item) || !item.every((x) => typeof x === "string")) {
      throw new PkiError("REQUEST_INVALID", `${field}.${key} must be an array of strings`, `${field}.${key}`);
    }
    return item as string[];
  };
  const [commonNames, organizationalUnits, dnsNames] = [list("commonNames"), list("organizationalUnits"), list("dnsNames")];
  const ipAddresses = list("ipAddresses").map((rule, i) => (rule === "*" ? rule : parseIpAddress(rule, `${field}.ipAddresses[${i}]`).canonical));
  return { commonNames, organizationalUnits, dnsNames, ipAddresses };
}

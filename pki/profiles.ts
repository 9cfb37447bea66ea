import { PkiError } from "./errors";
import type { KeyAlgorithmInfo } from "./key-algorithms";

/** Purposes a leaf certificate can be issued for (the request contract's spelling). */
export type CertificatePurpose = "client_auth" | "server_auth";
export const PURPOSES: readonly CertificatePurpose[] = ["client_auth", "server_auth"];

/** Extended key usage OIDs per purpose. */
export const EKU_OIDS: Readonly<Record<CertificatePurpose, string>> = {
  client_auth: "1.3.6.1.5.5.7.3.2",
  server_auth: "1.3.6.1.5.5.7.3.1",
};

export type KeyUsageName = "digitalSignature" | "keyEncipherment" | "keyCertSign" | "cRLSign";

/** Where relying parties find the issuer's CRL and certificate, and which policies certificates assert. */
export interface ProfileOptions {
  /** CRL distribution point URLs of the issuing CA (for the CA above a certificate). Default none. */
  readonly crlUrls?: readonly string[];
  /** AIA caIssuers URLs: where the issuer's certificate can be fetched. Default none. */
  readonly caIssuersUrls?: readonly string[];
  /** Certificate policy OIDs to assert. Default none (the prior art hard-codes 2.23.140.1.2.1). */
  readonly policyOids?: readonly string[];
}

/** What goes into a certificate, decided from its kind, purposes and key type; encoding is separate. */
export interface CertificateProfile {
  readonly kind: "root-ca" | "issuing-ca" | "leaf";
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number };
  readonly keyUsage: readonly KeyUsageName[];
  readonly extendedKeyUsage: readonly string[];
  readonly policyOids: readonly string[];
  readonly crlUrls: readonly string[];
  readonly caIssuersUrls: readonly string[];
}

/** Default lifetimes, in days: root 20 years, issuing 10 years, leaves at most a year. */
export const DEFAULT_ROOT_LIFETIME_DAYS = 7305;
export const DEFAULT_ISSUING_LIFETIME_DAYS = 3652;
export const DEFAULT_MAX_LEAF_LIFETIME_DAYS = 365;
/** Lifetime of a leaf when the request names none: the how-to's 90 days. */
export const DEFAULT_LEAF_LIFETIME_DAYS = 90;
/** notBefore is backdated this much, so clients with a slightly slow clock accept new certificates. */
export const BACKDATE_MS = 5 * 60 * 1000;

const CA_KEY_USAGE: readonly KeyUsageName[] = ["digitalSignature", "keyCertSign", "cRLSign"];

/** The self-signed root: CA without a path length limit, no distribution points (nothing signs it). */
export function rootCaProfile(options: ProfileOptions = {}): CertificateProfile {
  return { kind: "root-ca", basicConstraints: { ca: true }, keyUsage: CA_KEY_USAGE, extendedKeyUsage: [], policyOids: checkedPolicyOids(options), crlUrls: [], caIssuersUrls: [] };
}

/** The issuing CA: pathLen 0 (it may sign only leaves), pointing at the root's CRL and certificate. */
export function issuingCaProfile(options: ProfileOptions = {}): CertificateProfile {
  return {
    kind: "issuing-ca",
    basicConstraints: { ca: true, pathLength: 0 },
    keyUsage: CA_KEY_USAGE,
    extendedKeyUsage: [],
    policyOids: checkedPolicyOids(options),
    crlUrls: checkedUrls(options.crlUrls, "crlUrls"),
    caIssuersUrls: checkedUrls(options.caIssuersUrls, "caIssuersUrls"),
  };
}

/**
 * A leaf for the given purposes. keyUsage follows the key type: an EC key only signs in TLS 1.2/1.3
 * (digitalSignature), an RSA key may also do RSA key transport (keyEncipherment) — the prior art
 * sets keyEncipherment on every key, which is wrong for EC.
 */
export function leafProfile(purposes: readonly CertificatePurpose[], key: KeyAlgorithmInfo, options: ProfileOptions = {}): CertificateProfile {
  if (purposes.length === 0) throw new PkiError("PURPOSE_MISSING", `purposes must name at least one of ${PURPOSES.join(", ")}`, "purposes");
  return {
    kind: "leaf",
    basicConstraints: { ca: false },
    keyUsage: key.kind === "ec" ? ["digitalSignature"] : ["digitalSignature", "keyEncipherment"],
    extendedKeyUsage: PURPOSES.filter((p) => purposes.includes(p)).map((p) => EKU_OIDS[p]),
    policyOids: checkedPolicyOids(options),
    crlUrls: checkedUrls(options.crlUrls, "crlUrls"),
    caIssuersUrls: checkedUrls(options.caIssuersUrls, "caIssuersUrls"),
  };
}

function checkedPolicyOids(options: ProfileOptions): string[] {
  const oids = [...(options.policyOids ?? [])];
  for (const oid of oids) {
    if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) {
      throw new PkiError("REQUEST_INVALID", `policyOids: ${JSON.stringify(oid)} is not a dotted OID like 2.23.140.1.2.1`, "policyOids");
    }
  }
  return oids;
}

function checkedUrls(urls: readonly string[] | undefined, field: string): string[] {
  const result = [...(urls ?? [])];
  for (const url of result) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    // Relying parties fetch CRLs and issuer certificates over plain HTTP (RFC 5280 §4.2.1.13).
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new PkiError("REQUEST_INVALID", `${field}: ${JSON.stringify(url)} is not an http(s) URL`, field);
    }
    // The certificate carries it as an IA5String URI (RFC 5280 §4.2.1.6): printable ASCII only, or
    // the encoder writes other bytes than were given (an IRI must be sent in its URI form).
    if (!/^[\x21-\x7e]+$/.test(url)) {
      throw new PkiError("REQUEST_INVALID", `${field}: ${JSON.stringify(url)} is not an ASCII URI (no spaces, controls or non-ASCII characters); write it as ${JSON.stringify(parsed.href)}`, field);
    }
  }
  return result;
}

/** Checks profile options (policy OIDs, CRL and CA-issuer URLs) as the profiles will read them; throws REQUEST_INVALID naming the field. */
export function checkProfileOptions(options: ProfileOptions = {}): void {
  checkedPolicyOids(options);
  checkedUrls(options.crlUrls, "crlUrls");
  checkedUrls(options.caIssuersUrls, "caIssuersUrls");
}

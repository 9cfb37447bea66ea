import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  CRLNumber,
  CRLReason,
  CRLReasons,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  KeyIdentifier,
  Time,
} from "@peculiar/asn1-x509";
import { signatureAlgorithmOf } from "./certificate";
import type { CaIdentity } from "./ca";
import { PkiError } from "./errors";
import { encodeExtension } from "./extensions";
import { toPem } from "./pem";
import { serialHexToBytes } from "./serial";
import { encodeSigned, PreEncodedConverter, PreEncodedSequenceConverter, toArrayBuffer } from "./signed-envelope";

/**
 * RFC 5280 §5.3.1 reason codes a full CRL may carry, by name (7 is unused). removeFromCRL (8) is
 * left out: it belongs only in delta CRLs, and in a full CRL openssl reads it as "not revoked".
 */
export const REVOCATION_REASONS = {
  unspecified: CRLReasons.unspecified,
  keyCompromise: CRLReasons.keyCompromise,
  cACompromise: CRLReasons.cACompromise,
  affiliationChanged: CRLReasons.affiliationChanged,
  superseded: CRLReasons.superseded,
  cessationOfOperation: CRLReasons.cessationOfOperation,
  certificateHold: CRLReasons.certificateHold,
  privilegeWithdrawn: CRLReasons.privilegeWithdrawn,
  aACompromise: CRLReasons.aACompromise,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;
export const REVOCATION_REASON_NAMES = Object.keys(REVOCATION_REASONS) as RevocationReason[];

/** Parses a reason name given by a user or a request (own names only: not "constructor" or "__proto__"). */
export function parseRevocationReason(value: unknown, field = "reason"): RevocationReason {
  if (value === undefined) return "unspecified";
  if (typeof value === "string" && Object.hasOwn(REVOCATION_REASONS, value)) return value as RevocationReason;
  const why = value === "removeFromCRL" ? "removeFromCRL un-revokes a certificate in a delta CRL and has no place in the full CRLs this CA publishes" : `got ${JSON.stringify(value)}`;
  throw new PkiError("REASON_UNKNOWN", `${field} must be one of ${REVOCATION_REASON_NAMES.join(", ")}; ${why}`, field);
}

/** One revoked certificate. */
export interface RevokedEntry {
  readonly serialHex: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
  /** When the certificate expires: once past, the entry is pruned from new CRLs. */
  readonly notAfter: Date;
}

/** What goes into one CRL. */
export interface CrlParams {
  /** Monotonically increasing CRL number. */
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly RevokedEntry[];
}

/** A signed CRL and what was left out of it. */
export interface BuiltCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly listed: number;
  /** Entries left out because the certificate had expired by thisUpdate. */
  readonly pruned: number;
}

/** Entries still worth listing at `at`: an expired certificate fails validation anyway (RFC 5280 §3.3). */
export function pruneExpired(entries: readonly RevokedEntry[], at: Date): RevokedEntry[] {
  return entries.filter((e) => e.notAfter.getTime() >= at.getTime());
}

/** revokedCertificates entry: `SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL }`. */
class RevokedEntryDer {
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })
  userCertificate = new ArrayBuffer(0);

  @AsnProp({ type: Time })
  revocationDate = new Time();

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedSequenceConverter, optional: true })
  crlEntryExtensions?: ArrayBuffer[];
}

/** RFC 5280 TBSCertList, v2, with the issuer-constant parts pre-encoded (as for certificates). */
class TbsCertListDer {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 1; // v2

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  signature = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  issuer = new ArrayBuffer(0);

  @AsnProp({ type: Time })
  thisUpdate = new Time();

  @AsnProp({ type: Time })
  nextUpdate = new Time();

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedSequenceConverter, optional: true })
  revokedCertificates?: ArrayBuffer[];

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedSequenceConverter, context: 0 })
  crlExtensions: ArrayBuffer[] = [];
}

function extensionDer(extnID: string, value: unknown): ArrayBuffer {
  return toArrayBuffer(encodeExtension(extnID, false, value));
}

// The reasonCode entry extension, encoded once per reason; `unspecified` is left out (RFC 5280 §5.3.1).
const REASON_EXTENSIONS = new Map<RevocationReason, ArrayBuffer[] | undefined>(
  REVOCATION_REASON_NAMES.map((name) => [name, name === "unspecified" ? undefined : [extensionDer(id_ce_cRLReasons, new CRLReason(REVOCATION_REASONS[name]))]]),
);

/**
 * Builds and signs a v2 CRL for `issuer`: CRL number and AKI extensions, one entry per revoked
 * certificate that has not yet expired, with its reason code. One signature per CRL.
 */
export async function buildCrl(issuer: CaIdentity, params: CrlParams): Promise<BuiltCrl> {
  if (!Number.isSafeInteger(params.crlNumber) || params.crlNumber < 0) {
    throw new PkiError("REQUEST_INVALID", `crlNumber must be a non-negative integer; got ${params.crlNumber}`, "crlNumber");
  }
  if (params.nextUpdate.getTime() <= params.thisUpdate.getTime()) {
    throw new PkiError("REQUEST_INVALID", "nextUpdate must be after thisUpdate", "nextUpdate");
  }
  const listed = pruneExpired(params.entries, params.thisUpdate);
  const algorithm = await signatureAlgorithmOf(issuer.signer);
  const tbs = new TbsCertListDer();
  tbs.signature = toArrayBuffer(algorithm.der);
  tbs.issuer = toArrayBuffer(issuer.nameDer);
  tbs.thisUpdate = new Time(params.thisUpdate);
  tbs.nextUpdate = new Time(params.nextUpdate);
  if (listed.length > 0) {
    tbs.revokedCertificates = listed.map((entry) => {
      const der = new RevokedEntryDer();
      der.userCertificate = serialHexToBytes(entry.serialHex);
      der.revocationDate = new Time(entry.revokedAt);
      der.crlEntryExtensions = REASON_EXTENSIONS.get(entry.reason);
      return AsnConvert.serialize(der);
    });
  }
  tbs.crlExtensions = [
    extensionDer(id_ce_authorityKeyIdentifier, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(Uint8Array.from(issuer.keyIdentifier)) })),
    extensionDer(id_ce_cRLNumber, new CRLNumber(params.crlNumber)),
  ];
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const der = encodeSigned(tbsDer, algorithm.identifier, await issuer.signer.sign(tbsDer));
  return { der, pem: toPem(der, "X509 CRL"), listed: listed.length, pruned: params.entries.length - listed.length };
}

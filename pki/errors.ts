/**
 * Every refusal the PKI core can give, with a stable code that callers (the CLI, the ca-issuer
 * Lambda, tests) match on. Messages may change; codes may not.
 */
export type PkiErrorCode =
  | "REQUEST_INVALID"
  | "CSR_TOO_LARGE"
  | "CSR_MALFORMED"
  | "CSR_BAD_SIGNATURE"
  | "CSR_UNSUPPORTED_SIGNATURE_ALGORITHM"
  | "CSR_REQUESTS_CA"
  | "KEY_TOO_WEAK"
  | "KEY_UNSUPPORTED"
  | "KEY_RSA_MODULUS"
  | "KEY_RSA_EXPONENT"
  | "KEY_EC_PARAMETERS"
  | "KEY_EC_POINT"
  | "PURPOSE_MISSING"
  | "PURPOSE_UNKNOWN"
  | "LIFETIME_OUT_OF_RANGE"
  | "LIFETIME_EXCEEDS_ISSUER"
  | "SUBJECT_CN_MISSING"
  | "SUBJECT_INVALID"
  | "SUBJECT_CN_NOT_ALLOWED"
  | "SUBJECT_OU_NOT_ALLOWED"
  | "SAN_INVALID"
  | "SAN_NOT_ALLOWED"
  | "SAN_REQUIRED"
  | "SERIAL_INVALID"
  | "REASON_UNKNOWN"
  | "NOT_FOUND"
  | "ALREADY_REVOKED"
  | "CERTIFICATE_REVOKED"
  | "IDEMPOTENCY_CONFLICT"
  | "ACTION_MOVED"
  | "CA_NOT_INITIALISED"
  | "CA_EXISTS"
  | "CA_BUSY"
  | "CHAIN_INVALID"
  | "PEM_INVALID"
  | "CRL_INVALID"
  | "CRL_MALFORMED"
  | "CRL_UNSUPPORTED"
  | "CRL_WRONG_ISSUER"
  | "CRL_NOT_YET_VALID"
  | "CRL_STALE"
  | "CRL_ROLLBACK"
  | "KMS_ACCESS_DENIED"
  | "KMS_THROTTLED"
  | "KMS_KEY_UNUSABLE"
  | "KMS_FAILED";

/** A refusal with a stable `code`, the offending `field` (when one is to blame) and a readable message. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;
  readonly field?: string;

  constructor(code: PkiErrorCode, message: string, field?: string) {
    super(message);
    this.name = "PkiError";
    this.code = code;
    if (field !== undefined) this.field = field;
  }

  /** The `{ code, message, field? }` shape of the ca-issuer error contract. */
  toJSON(): { code: PkiErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** True when `error` is a PkiError (also across module copies, e.g. in esbuild bundles). */
export function isPkiError(error: unknown): error is PkiError {
  return error instanceof PkiError || (error instanceof Error && error.name === "PkiError" && "code" in error);
}

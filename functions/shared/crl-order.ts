/** A refused CRL: older than one already accepted (a rollback), or without a number to compare. */
export class CrlRollbackError extends Error {
  readonly code = "CRL_ROLLBACK";
  constructor(message: string) {
    super(message);
    this.name = "CrlRollbackError";
  }
}

/**
 * The CRL-number check every CRL reader makes (the authorizer, revocation-sync): refuse a CRL older
 * than the newest already accepted, or one without a number once numbered CRLs were seen (it
 * cannot be ordered). The same number again is fine (the same CRL, fetched again). Returns the
 * newest number accepted.
 */
export function checkCrlNumber(newestAccepted: number | undefined, crlNumber: number | undefined): number | undefined {
  if (newestAccepted === undefined) return crlNumber;
  if (crlNumber === undefined) throw new CrlRollbackError(`the CRL has no CRL number, but CRL number ${newestAccepted} was already accepted`);
  if (crlNumber < newestAccepted) throw new CrlRollbackError(`the CRL's number ${crlNumber} is older than CRL number ${newestAccepted} already accepted`);
  return Math.max(newestAccepted, crlNumber);
}

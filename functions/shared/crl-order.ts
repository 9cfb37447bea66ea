/** A refused CRL: older than one already accepted (a rollback). */
export class CrlRollbackError extends Error {
  readonly code = "CRL_ROLLBACK";
  constructor(message: string) {
    super(message);
    this.name = "CrlRollbackError";
  }
}

/**
 * The CRL-number check every CRL reader makes (the authorizer, revocation-sync): refuse a CRL older
 * than the newest already accepted. The same number again is fine (the same CRL, fetched again).
 * Numbers are compared exactly, as bigints: RFC 5280 §5.2.3 allows 20 octets, far past 2^53. (A
 * CRL without a number never gets here: the reader refuses it, CRL_UNSUPPORTED.) Returns the
 * newest number accepted.
 */
export function checkCrlNumber(newestAccepted: bigint | undefined, crlNumber: bigint): bigint {
  if (newestAccepted === undefined) return crlNumber;
  if (crlNumber < newestAccepted) throw new CrlRollbackError(`the CRL's number ${crlNumber} is older than CRL number ${newestAccepted} already accepted`);
  return crlNumber > newestAccepted ? crlNumber : newestAccepted;
}

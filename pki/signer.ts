import type { InspectedPublicKey } from "./key-algorithms";

/**
 * Something that holds a CA private key and signs with it: node crypto in the rehearsal and the
 * local CA, AWS KMS in the serverless CA. Certificates and CRLs are built around it; the key never
 * leaves it.
 */
export interface Signer {
  /** The public half, with its key type (fetched once and cached by remote signers). */
  publicKey(): Promise<InspectedPublicKey>;
  /**
   * Signs `data` (a DER tbsCertificate or tbsCertList) with the hash of the key type and returns
   * the signature as X.509 carries it (DER ECDSA-Sig-Value, or the PKCS#1 v1.5 block for RSA).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

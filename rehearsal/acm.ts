import { createPrivateKey, X509Certificate } from "node:crypto";
import type { AcmCertificate } from "../functions/origin-cert-renewer";

/** The certificate, chain and key held under the stand-in's one ARN. */
export interface HeldCertificate {
  readonly certificatePem: string;
  readonly chainPem: string;
  readonly privateKeyPem: string;
}

/**
 * The stand-in for the ACM certificate CloudFront presents to the origin: one ARN whose
 * certificate the edge reads on every origin connection (as CloudFront reads the certificate
 * associated with the distribution), and which origin-cert-renewer reads and re-imports through
 * the same interface it uses against ACM. Like ACM, a re-import whose key is not the certificate's
 * is refused and changes nothing.
 */
export class RehearsalAcm implements AcmCertificate {
  private held: HeldCertificate;

  constructor(
    readonly arn: string,
    initial: HeldCertificate,
  ) {
    this.held = RehearsalAcm.checked(initial);
  }

  private static checked(parts: HeldCertificate): HeldCertificate {
    if (!new X509Certificate(parts.certificatePem).checkPrivateKey(createPrivateKey(parts.privateKeyPem))) throw new Error("The private key is not the certificate's (ACM refuses the import)");
    return { ...parts };
  }

  private expect(arn: string): void {
    if (arn !== this.arn) throw Object.assign(new Error(`Could not find certificate ${arn}`), { name: "ResourceNotFoundException" });
  }

  async get(arn: string): Promise<{ certificatePem: string; chainPem?: string }> {
    this.expect(arn);
    return { certificatePem: this.held.certificatePem, chainPem: this.held.chainPem };
  }

  async reimport(arn: string, parts: HeldCertificate): Promise<void> {
    this.expect(arn);
    this.held = RehearsalAcm.checked(parts);
  }

  /** What the edge presents to the origin right now: the leaf and chain, and its key. */
  current(): { readonly certPem: string; readonly keyPem: string } {
    return { certPem: this.held.certificatePem + this.held.chainPem, keyPem: this.held.privateKeyPem };
  }
}

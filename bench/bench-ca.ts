import { KeyObject } from "node:crypto";
import { CaIdentity, createIssuingCertificate, createRootCertificate } from "../pki/ca";
import { LocalSigner } from "../pki/local-signer";

/** A root (P-384) and issuing CA (P-256) in memory, with the issuing key exposed for baselines. */
export async function makeBenchCa(): Promise<{ root: CaIdentity; issuing: CaIdentity; issuingKey: KeyObject }> {
  const rootSigner = LocalSigner.generate("ecdsa-p384");
  const issuingSigner = LocalSigner.generate("ecdsa-p256");
  const root = await CaIdentity.create(rootSigner, (await createRootCertificate(rootSigner, { subject: { commonName: "Bench Root CA" } })).der);
  const issuingCert = await createIssuingCertificate(root, await issuingSigner.publicKey(), { subject: { commonName: "Bench Issuing CA" } });
  return { root, issuing: await CaIdentity.create(issuingSigner, issuingCert.der), issuingKey: issuingSigner.privateKey };
}

import { KeyObject } from "node:crypto";
import { CaIdentity, createIssuingCertificate, createRootCertificate, IssuedCertificate } from "../../pki/ca";
import { createCsr } from "../../pki/csr";
import { SubjectAltName } from "../../pki/extensions";
import { DEFAULT_ISSUANCE_POLICY, IssuancePolicy, validateIssueRequest } from "../../pki/issuance-policy";
import { KeyAlgorithmName } from "../../pki/key-algorithms";
import { generatePrivateKey, LocalSigner, privateKeyToPem } from "../../pki/local-signer";
import { SubjectFields } from "../../pki/names";
import { CertificatePurpose, ProfileOptions } from "../../pki/profiles";

/** An in-memory two-level CA for tests. */
export interface TestCa {
  readonly root: CaIdentity;
  readonly issuing: CaIdentity;
  readonly rootPem: string;
  readonly issuingPem: string;
  /** root then issuing */
  readonly bundlePem: string;
}

/** Builds a root + issuing CA with local keys of the given types. */
export async function makeTestCa(
  options: { rootKey?: KeyAlgorithmName; issuingKey?: KeyAlgorithmName; name?: string; leafProfile?: ProfileOptions; now?: Date } = {},
): Promise<TestCa> {
  const name = options.name ?? "Test";
  const rootSigner = LocalSigner.generate(options.rootKey ?? "ecdsa-p384");
  const issuingSigner = LocalSigner.generate(options.issuingKey ?? "ecdsa-p256");
  const rootCert = await createRootCertificate(rootSigner, { subject: { commonName: `${name} Root CA`, organization: "edge-mtls tests" }, now: options.now });
  const root = await CaIdentity.create(rootSigner, rootCert.der);
  const issuingCert = await createIssuingCertificate(root, await issuingSigner.publicKey(), {
    subject: { commonName: `${name} Issuing CA`, organization: "edge-mtls tests" },
    now: options.now,
  });
  const issuing = await CaIdentity.create(issuingSigner, issuingCert.der, options.leafProfile ?? {});
  return { root, issuing, rootPem: rootCert.pem, issuingPem: issuingCert.pem, bundlePem: rootCert.pem + issuingCert.pem };
}

/** A leaf with its key, issued through the same request path as production. */
export interface TestLeaf {
  readonly certificate: IssuedCertificate;
  readonly key: KeyObject;
  readonly keyPem: string;
}

/** Issues a leaf through validateIssueRequest (CSR made here) and the issuing CA. */
export async function issueLeaf(
  ca: TestCa,
  options: { subject?: SubjectFields; purposes?: CertificatePurpose[]; sans?: SubjectAltName[]; keyType?: KeyAlgorithmName; lifetimeDays?: number; now?: Date; policy?: IssuancePolicy } = {},
): Promise<TestLeaf> {
  const key = generatePrivateKey(options.keyType ?? "ecdsa-p256");
  const csrPem = createCsr(key, options.subject ?? { commonName: "client.test" }, options.sans ?? []);
  const { order } = validateIssueRequest({ csrPem, purposes: options.purposes ?? ["client_auth"], lifetimeDays: options.lifetimeDays }, options.policy ?? DEFAULT_ISSUANCE_POLICY);
  const certificate = await ca.issuing.issueLeaf(order, options.now);
  return { certificate, key, keyPem: privateKeyToPem(key) };
}

import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCsr } from "../pki/csr";
import { SubjectAltName } from "../pki/extensions";
import { certificateFiles, writeFilesAtomically } from "../pki/files";
import { LOCAL_CA_FILES, LocalCa } from "../pki/local-ca";
import { generatePrivateKey, privateKeyToPem } from "../pki/local-signer";
import { SubjectFields } from "../pki/names";
import { CertificatePurpose } from "../pki/profiles";

/** The files of one certificate, by the how-to's names. */
export interface CertificatePaths {
  readonly key: string;
  readonly cert: string;
  /** leaf, issuing, root */
  readonly crt: string;
  readonly certKey: string;
}

/** What a rehearsal runs with: files on disk and the PEMs the listeners load. */
export interface RehearsalPki {
  readonly dir: string;
  readonly bundlePath: string;
  readonly bundlePem: string;
  readonly issuingCaPem: string;
  /** The issuing CA's current CRL (DER), listing the revoked user certificate. */
  readonly crlDer: Uint8Array;
  readonly crlPath: string;
  readonly certificates: Readonly<Record<"user" | "cloudfront" | "edgeServer" | "originServer" | "revoked" | "foreign", CertificatePaths & { readonly pem: string; readonly chainPem: string; readonly keyPem: string; readonly serialHex: string }>>;
}

const SERVER_SANS: SubjectAltName[] = [{ type: "dns", value: "localhost" }, { type: "ip", value: "127.0.0.1" }];

/** The subjects of the how-to: a user, CloudFront's origin certificate (client-cert.py's variables). */
export const REHEARSAL_SUBJECTS = {
  user: { commonName: "My Test Certificate", organizationalUnit: "Security Operations", organization: "Serverless Inc", country: "GB" },
  cloudfront: { commonName: "CloudFront", country: "GB", locality: "London", organization: "Serverless Inc", organizationalUnit: "CloudFront", state: "England" },
  revoked: { commonName: "Revoked User", organizationalUnit: "Security Operations", organization: "Serverless Inc", country: "GB" },
} as const;

async function issueInto(ca: LocalCa, dir: string, name: string, subject: SubjectFields, purposes: CertificatePurpose[], sans: SubjectAltName[] = []) {
  const key = generatePrivateKey("ecdsa-p256");
  const keyPem = privateKeyToPem(key);
  const certificate = await ca.issue({ csrPem: createCsr(key, subject, sans), purposes, lifetimeDays: 30 });
  const [keyFile, pemFile, crtFile, combinedFile] = writeFilesAtomically(dir, certificateFiles(name, certificate.pem, ca.chainPem, keyPem));
  return { key: keyFile!, cert: pemFile!, crt: crtFile!, certKey: combinedFile!, pem: certificate.pem, chainPem: ca.chainPem, keyPem, serialHex: certificate.serialHex };
}

/**
 * Makes (or reuses) the rehearsal CA under `<dir>/ca` and issues, into `<dir>`, with the how-to's
 * file names: the user's client certificate, CloudFront's origin client certificate, server
 * certificates for the two listeners (localhost, 127.0.0.1), a user certificate that is then
 * revoked, and a user certificate from a foreign CA. Writes `ca-bundle.pem` and the issuing CRL.
 */
export async function prepareRehearsalPki(dir: string): Promise<RehearsalPki> {
  const caDir = join(dir, "ca");
  const ca = existsSync(join(caDir, LOCAL_CA_FILES.config)) ? await LocalCa.open(caDir) : await LocalCa.init(caDir, { rootSubject: { commonName: "Rehearsal Root CA", organization: "edge-mtls" }, issuingSubject: { commonName: "Rehearsal Issuing CA", organization: "edge-mtls" } });
  const foreignDir = join(dir, "foreign-ca");
  const foreign = existsSync(join(foreignDir, LOCAL_CA_FILES.config)) ? await LocalCa.open(foreignDir) : await LocalCa.init(foreignDir, { rootSubject: { commonName: "Foreign Root CA" }, issuingSubject: { commonName: "Foreign Issuing CA" } });
  const certificates = {
    user: await issueInto(ca, dir, "user", REHEARSAL_SUBJECTS.user, ["client_auth"]),
    cloudfront: await issueInto(ca, dir, "cloudfront", REHEARSAL_SUBJECTS.cloudfront, ["client_auth"]),
    edgeServer: await issueInto(ca, dir, "edge-server", { commonName: "localhost", organizationalUnit: "Edge" }, ["server_auth"], SERVER_SANS),
    originServer: await issueInto(ca, dir, "origin-server", { commonName: "localhost", organizationalUnit: "Origin" }, ["server_auth"], SERVER_SANS),
    revoked: await issueInto(ca, dir, "revoked", REHEARSAL_SUBJECTS.revoked, ["client_auth"]),
    foreign: await issueInto(foreign, dir, "foreign", REHEARSAL_SUBJECTS.user, ["client_auth"]),
  };
  ca.revoke(certificates.revoked.serialHex, "keyCompromise");
  const crl = await ca.crl();
  const [bundlePath, crlPath] = writeFilesAtomically(dir, [
    { name: "ca-bundle.pem", content: ca.bundlePem, secret: false },
    { name: "issuing-ca.crl", content: crl.der, secret: false },
  ]);
  return { dir, bundlePath: bundlePath!, bundlePem: ca.bundlePem, issuingCaPem: ca.issuing.certificatePem, crlDer: crl.der, crlPath: crlPath!, certificates };
}

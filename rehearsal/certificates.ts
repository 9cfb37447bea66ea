import { existsSync } from "node:fs";
import { join } from "node:path";
import { handle as caIssuer } from "../functions/ca-issuer";
import { handle as caRevoker } from "../functions/ca-revoker";
import type { CaDeps } from "../functions/shared/ca-service";
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

/** One certificate of the rehearsal: its files, PEMs and serial. */
export type RehearsalCertificate = CertificatePaths & { readonly pem: string; readonly chainPem: string; readonly keyPem: string; readonly serialHex: string };

/** What a rehearsal runs with: files on disk and the PEMs the listeners load. */
export interface RehearsalPki {
  readonly dir: string;
  /** `ca-bundle.pem`: the trust bundle the workload program uploads (what CloudFront and API Gateway trust for clients). */
  readonly bundlePath: string;
  readonly bundlePem: string;
  /**
   * `server-ca.pem`: the CA of the two listeners' server certificates. It stands for the public
   * PKI behind the ACM certificates of the real edge and API domains; clients trust it for the servers.
   */
  readonly serverCaPath: string;
  readonly serverCaPem: string;
  readonly certificates: Readonly<Record<"user" | "revoked" | "foreign" | "edgeServer" | "originServer", RehearsalCertificate>>;
}

/** The how-to's user certificate; the revoked one has the same subject (the CA's name policy allows it), another key. */
export const REHEARSAL_SUBJECTS = {
  user: { commonName: "My Test Certificate", organizationalUnit: "Security Operations", organization: "Serverless Inc", country: "GB" },
} as const;

/** What the rehearsal's PKI is made from: the CA stack (its ca-issuer and ca-revoker, in memory) and the names the servers answer to. */
export interface PkiSources {
  /** The in-memory CA the CA program configured (offline/deployment.ts). */
  readonly ca: CaDeps;
  /** The trust bundle as the workload program uploads it. */
  readonly trustBundlePem: string;
  readonly edgeNames: readonly string[];
  readonly apiNames: readonly string[];
}

function write(dir: string, name: string, pem: string, chainPem: string, keyPem: string, serialHex: string): RehearsalCertificate {
  const [keyFile, pemFile, crtFile, combinedFile] = writeFilesAtomically(dir, certificateFiles(name, pem, chainPem, keyPem));
  return { key: keyFile!, cert: pemFile!, crt: crtFile!, certKey: combinedFile!, pem, chainPem, keyPem, serialHex };
}

/** A client certificate from the CA stack, through the real ca-issuer (its profile and name policy decide). */
async function issueFromCaStack(ca: CaDeps, dir: string, name: string, subject: SubjectFields): Promise<RehearsalCertificate> {
  const key = generatePrivateKey("ecdsa-p256");
  const answer = await caIssuer({ action: "issue", csrPem: createCsr(key, subject), purposes: ["client_auth"], lifetimeDays: 30 }, ca);
  if ("error" in answer) throw new Error(`the CA stack refused the rehearsal's ${name} certificate (${subject.commonName}): ${answer.error.message}`);
  return write(dir, name, answer.certificatePem, answer.chainPem, privateKeyToPem(key), answer.serialNumber);
}

async function localCa(dir: string, root: string, issuing: string): Promise<LocalCa> {
  return existsSync(join(dir, LOCAL_CA_FILES.config)) ? LocalCa.open(dir) : LocalCa.init(dir, { rootSubject: { commonName: root }, issuingSubject: { commonName: issuing } });
}

async function issueFromLocal(ca: LocalCa, dir: string, name: string, subject: SubjectFields, purposes: CertificatePurpose[], sans: SubjectAltName[] = []): Promise<RehearsalCertificate> {
  const key = generatePrivateKey("ecdsa-p256");
  const keyPem = privateKeyToPem(key);
  const certificate = await ca.issue({ csrPem: createCsr(key, subject, sans), purposes, lifetimeDays: 30 });
  return write(dir, name, certificate.pem, ca.chainPem, keyPem, certificate.serialHex);
}

const LOOPBACK: SubjectAltName[] = [{ type: "dns", value: "localhost" }, { type: "ip", value: "127.0.0.1" }];

/**
 * Issues, into `dir` with the how-to's file names: the user's client certificate and one that is
 * then revoked (through ca-revoker, which publishes the CRL), both from the CA stack; server
 * certificates for the two listeners (their declared names, localhost and 127.0.0.1) from a local
 * stand-in for the public PKI (`server-ca/`); a user certificate from a foreign CA. Writes the
 * uploaded trust bundle as `ca-bundle.pem` and the server CA as `server-ca.pem`.
 */
export async function prepareRehearsalPki(dir: string, sources: PkiSources): Promise<RehearsalPki> {
  const serverCa = await localCa(join(dir, "server-ca"), "Rehearsal Public Root (stand-in)", "Rehearsal Public Issuing (stand-in)");
  const foreign = await localCa(join(dir, "foreign-ca"), "Foreign Root CA", "Foreign Issuing CA");
  const names = (hosts: readonly string[]): SubjectAltName[] => [...hosts.map((value) => ({ type: "dns" as const, value })), ...LOOPBACK];
  const certificates = {
    user: await issueFromCaStack(sources.ca, dir, "user", REHEARSAL_SUBJECTS.user),
    revoked: await issueFromCaStack(sources.ca, dir, "revoked", REHEARSAL_SUBJECTS.user),
    foreign: await issueFromLocal(foreign, dir, "foreign", REHEARSAL_SUBJECTS.user, ["client_auth"]),
    edgeServer: await issueFromLocal(serverCa, dir, "edge-server", { commonName: sources.edgeNames[0] ?? "localhost" }, ["server_auth"], names(sources.edgeNames)),
    originServer: await issueFromLocal(serverCa, dir, "origin-server", { commonName: sources.apiNames[0] ?? "localhost" }, ["server_auth"], names(sources.apiNames)),
  };
  const revoked = await caRevoker({ serialNumber: certificates.revoked.serialHex, reason: "keyCompromise" }, sources.ca);
  if ("error" in revoked) throw new Error(`the CA stack refused to revoke the rehearsal's revoked certificate: ${revoked.error.message}`);
  const [bundlePath, serverCaPath] = writeFilesAtomically(dir, [
    { name: "ca-bundle.pem", content: sources.trustBundlePem, secret: false },
    { name: "server-ca.pem", content: serverCa.bundlePem, secret: false },
  ]);
  return { dir, bundlePath: bundlePath!, bundlePem: sources.trustBundlePem, serverCaPath: serverCaPath!, serverCaPem: serverCa.bundlePem, certificates };
}

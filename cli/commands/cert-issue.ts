import { KeyObject, X509Certificate } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createCsr, MAX_CSR_BYTES, parseCsr } from "../../pki/csr";
import { PkiError } from "../../pki/errors";
import { certificateFiles, OutputFile, writeFilesAtomically } from "../../pki/files";
import { validateSans } from "../../pki/issuance-policy";
import { parseKeyAlgorithmName } from "../../pki/key-algorithms";
import { LocalCa } from "../../pki/local-ca";
import { generatePrivateKey, privateKeyToPem } from "../../pki/local-signer";
import { validateSubject } from "../../pki/names";
import { looksLikePem, toPem } from "../../pki/pem";
import { serialHexToDecimal } from "../../pki/serial";
import { awsClients, generateKeyPair, importToAcm, issueFromAws } from "../aws-ca";
import { Command, UsageError } from "../command";

interface Flags {
  "ca-dir"?: string;
  cn?: string;
  ou?: string;
  o?: string;
  c?: string;
  l?: string;
  st?: string;
  purpose?: string[];
  lifetime?: string;
  san?: string[];
  out?: string;
  name?: string;
  "key-type"?: string;
  csr?: string;
  json?: boolean;
  "ca-function"?: string;
  "keygen-key"?: string;
  region?: string;
  "idempotency-key"?: string;
  "acm-import"?: boolean;
  "acm-region"?: string;
  "certificate-arn"?: string;
}

/** `edge-mtls cert issue`: the how-to's client-cert.py, with flags instead of edited variables. */
export const certIssueCommand: Command<Flags> = {
  words: ["cert", "issue"],
  summary:
    "Issue a certificate from a local CA. Makes a key and a CSR (or signs the CSR you bring with --csr) and writes the how-to's files: " +
    "<name>-key.pem, <name>-cert.pem (leaf), <name>-cert.crt (leaf, issuing, root), <name>-cert-key.pem (key then the three certificates).",
  flags: {
    "ca-dir": { type: "string", description: "directory of a local CA (edge-mtls ca init); or use --ca-function" },
    "ca-function": { type: "string", description: "the deployed CA's ca-issuer function (name or ARN): issue from AWS" },
    "keygen-key": { type: "string", description: "with --ca-function: KMS key (id, ARN or alias) whose GenerateDataKeyPair makes the key" },
    region: { type: "string", description: "with --ca-function: region of the CA's function and keys", defaultText: "the AWS environment's" },
    "idempotency-key": { type: "string", description: "with --ca-function: makes a retried command return the same certificate", defaultText: "a new random key" },
    "acm-import": { type: "boolean", description: "import the certificate into ACM (body = leaf, chain = issuing + root, key)" },
    "acm-region": { type: "string", description: "ACM region for --acm-import (CloudFront reads only us-east-1)", defaultText: "us-east-1" },
    "certificate-arn": { type: "string", description: "with --acm-import: re-import into this ACM certificate (same ARN)" },
    cn: { type: "string", description: "subject common name" },
    ou: { type: "string", description: "subject organizational unit" },
    o: { type: "string", description: "subject organization" },
    c: { type: "string", description: "subject two-letter country" },
    l: { type: "string", description: "subject locality" },
    st: { type: "string", description: "subject state or province" },
    purpose: { type: "string", multiple: true, description: "client_auth or server_auth", defaultText: "client_auth" },
    lifetime: { type: "string", description: "lifetime in days", defaultText: "90" },
    san: { type: "string", multiple: true, description: "subjectAltName: a DNS name or an IP address" },
    out: { type: "string", description: "directory to write the files to", defaultText: "certs" },
    name: { type: "string", description: "file name prefix", defaultText: "the CN in lower case" },
    "key-type": { type: "string", description: "key type to generate (ecdsa-p256, ecdsa-p384, ecdsa-p521, rsa-2048, rsa-3072, rsa-4096)", defaultText: "ecdsa-p256" },
    csr: { type: "string", description: "sign this CSR (PEM or DER) instead of making a key; no key files are written" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(flags, _positionals, io) {
    if (!!flags["ca-dir"] === !!flags["ca-function"]) throw new UsageError("give either --ca-dir (a local CA) or --ca-function (the deployed CA's ca-issuer)");
    if (flags["keygen-key"] && !flags["ca-function"]) throw new UsageError("--keygen-key goes with --ca-function");
    if ((flags["acm-region"] || flags["certificate-arn"]) && !flags["acm-import"]) throw new UsageError("--acm-region and --certificate-arn go with --acm-import");
    const subjectFlags = validateSubject(
      { commonName: flags.cn, organizationalUnit: flags.ou, organization: flags.o, country: flags.c, locality: flags.l, state: flags.st },
      "subject",
    );
    const sans = validateSans(flags.san, "--san");
    if (flags.lifetime !== undefined && !/^-?[0-9]+$/.test(flags.lifetime)) throw new UsageError(`--lifetime must be a whole number of days; got ${JSON.stringify(flags.lifetime)}`);
    const lifetimeDays = flags.lifetime === undefined ? undefined : Number(flags.lifetime);
    let csrPem: string;
    let key: KeyObject | undefined;
    const aws = flags["ca-function"] ? awsClients(flags.region, flags["acm-region"] ?? "us-east-1") : undefined;
    if (flags.csr !== undefined) {
      if (flags["key-type"] !== undefined || flags["keygen-key"] !== undefined) throw new UsageError("--key-type and --keygen-key cannot be used with --csr: the CSR carries its own key");
      csrPem = readCsrFile(resolve(io.cwd, flags.csr));
    } else {
      if (!subjectFlags.commonName) throw new UsageError("--cn is required when no --csr is given");
      if (aws) {
        if (!flags["keygen-key"]) throw new UsageError("--keygen-key is required with --ca-function when no --csr is given (the how-to's key alias, e.g. alias/edge-mtls-dev-tls-keygen)");
        if (flags["key-type"] !== undefined) throw new UsageError("--key-type does not apply to KMS key pairs (ECC_NIST_P256)");
        key = await generateKeyPair(aws.kms, flags["keygen-key"]);
      } else {
        key = generatePrivateKey(parseKeyAlgorithmName(flags["key-type"] ?? "ecdsa-p256", "--key-type"));
      }
      csrPem = createCsr(key, subjectFlags, sans);
    }
    if (flags["acm-import"] && !key) throw new UsageError("--acm-import needs the private key: issue with a key made here (no --csr)");
    // Everything that can be refused is checked before the CA signs and records anything: the CN
    // that names the files (the flag's, else the CSR's: the CA keeps the requested subject), the
    // name, and that the files can be written where asked.
    const commonName = subjectFlags.commonName ?? (flags.csr !== undefined ? parseCsr(csrPem, "csrPem").subject.commonName : undefined) ?? "certificate";
    const name = flags.name ?? commonName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}`);
    const outDir = resolve(io.cwd, flags.out ?? "certs");
    checkWritable(outDir, certificateFiles(name, "", "", key ? "" : undefined));
    // Subject flags given with --csr override the CSR's subject; the CA applies its name policy to the result.
    const request = {
      csrPem,
      purposes: flags.purpose ?? ["client_auth"],
      lifetimeDays,
      subject: flags.csr !== undefined && Object.keys(subjectFlags).length > 0 ? subjectFlags : undefined,
      sans: flags.csr !== undefined && sans.length > 0 ? sans : undefined,
    };
    let certificatePem: string;
    let chainPem: string;
    let serialNumber: string;
    let subject: string;
    let notBefore: string;
    let notAfter: string;
    if (aws) {
      const issued = await issueFromAws(aws.lambda, flags["ca-function"]!, key, { ...request, idempotencyKey: flags["idempotency-key"] });
      const x509 = new X509Certificate(issued.certificatePem);
      ({ certificatePem, chainPem, serialNumber, notBefore, notAfter } = issued);
      subject = x509.subject.split("\n").join(",");
    } else {
      const ca = await LocalCa.open(resolve(io.cwd, flags["ca-dir"]!));
      const certificate = await ca.issue(request);
      certificatePem = certificate.pem;
      chainPem = ca.chainPem;
      serialNumber = certificate.serialHex;
      subject = certificate.subject;
      notBefore = certificate.notBefore.toISOString();
      notAfter = certificate.notAfter.toISOString();
    }
    const privateKeyPem = key ? privateKeyToPem(key) : undefined;
    // ACM first: if the import fails, no file is written either.
    const certificateArn = aws && flags["acm-import"] ? await importToAcm(aws.acm, { certificatePem, certificateChainPem: chainPem, privateKeyPem: privateKeyPem! }, flags["certificate-arn"]) : undefined;
    const written = writeFilesAtomically(outDir, certificateFiles(name, certificatePem, chainPem, privateKeyPem));
    const result = { subject, serialNumber, serialNumberDecimal: serialHexToDecimal(serialNumber), notBefore, notAfter, purposes: request.purposes, files: written, ...(certificateArn ? { certificateArn } : {}) };
    if (flags.json) {
      io.stdout.write(JSON.stringify(result, null, 2) + "\n");
    } else {
      io.stdout.write(
        `Issued ${result.subject}\n  serial:   ${result.serialNumber}\n  valid:    ${result.notBefore} to ${result.notAfter}\n  purposes: ${result.purposes.join(", ")}\n` +
          written.map((f) => `  wrote     ${f}\n`).join("") +
          (certificateArn ? `  ACM:      ${certificateArn}\n` : ""),
      );
    }
    return 0;
  },
};

/**
 * Reads a CSR file (PEM or DER) as the PEM string the issue request carries. At most
 * MAX_CSR_BYTES + 1 bytes are read, whatever the file is: a regular file is judged by its size,
 * a device or pipe (`/dev/zero`, `/dev/urandom`) by what it gives, so nothing can make this hang.
 */
function readCsrFile(path: string): string {
  const fd = openSync(path, "r");
  let bytes: Uint8Array;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new PkiError("CSR_MALFORMED", `--csr ${path} is a directory, not a CSR file`, "--csr");
    if (stat.isFile() && stat.size > MAX_CSR_BYTES) {
      throw new PkiError("CSR_TOO_LARGE", `--csr ${path} is ${stat.size} bytes; a CSR is at most ${MAX_CSR_BYTES}`, "--csr");
    }
    const buffer = Buffer.alloc(MAX_CSR_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CSR_BYTES) {
      throw new PkiError("CSR_TOO_LARGE", `--csr ${path} is not a regular file and gave more than ${MAX_CSR_BYTES} bytes (a CSR is at most that); give the CSR file itself`, "--csr");
    }
    bytes = new Uint8Array(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
  // DER input goes through parseCsr here so the refusal names the file's real problem.
  if (!looksLikePem(bytes)) parseCsr(bytes, "--csr");
  return looksLikePem(bytes) ? Buffer.from(bytes).toString("utf8") : toPem(bytes, "CERTIFICATE REQUEST");
}

/**
 * Refuses, before anything is issued, an output directory the files cannot be written to: a
 * path that is (or lies under) a file, an unwritable directory, or a target name taken by a directory.
 */
function checkWritable(outDir: string, files: readonly OutputFile[]): void {
  let existing = outDir;
  while (!existsSync(existing)) existing = dirname(existing);
  const problem = (() => {
    if (!statSync(existing).isDirectory()) return `${existing} is not a directory`;
    try {
      accessSync(existing, constants.W_OK | constants.X_OK);
    } catch {
      return `${existing} is not writable`;
    }
    const taken = files.find((f) => existsSync(join(outDir, f.name)) && statSync(join(outDir, f.name)).isDirectory());
    return taken ? `${join(outDir, taken.name)} is a directory` : undefined;
  })();
  if (problem) throw new UsageError(`--out ${outDir}: ${problem}; nothing was issued`);
}

import { PkiError } from "./errors";
import { x509 } from "./x509";

/** One PEM block: its label (`CERTIFICATE`, `X509 CRL`, …) and DER content. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** Encodes DER as PEM (RFC 7468: base64 in 64-character lines) with the given label, ending in a newline. */
export function toPem(der: Uint8Array, label: string): string {
  // node's base64 rather than the library's btoa-based encoder: CRLs reach megabytes.
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Every PEM block in `text`, in order. Throws PEM_INVALID naming `field` when there is none or one is damaged. */
export function readPemBlocks(text: string, field: string): PemBlock[] {
  let blocks: PemBlock[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(text).map((b) => ({ label: b.type, der: new Uint8Array(b.rawData) }));
  } catch (error) {
    throw new PkiError("PEM_INVALID", `${field}: damaged PEM (${(error as Error).message})`, field);
  }
  if (blocks.length === 0) throw new PkiError("PEM_INVALID", `${field}: no PEM block found`, field);
  return blocks;
}

/** The DER of every `CERTIFICATE` block in `text`, in order (at least one). */
export function readCertificatesPem(text: string, field: string): Uint8Array[] {
  const certificates = readPemBlocks(text, field).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
  if (certificates.length === 0) throw new PkiError("PEM_INVALID", `${field}: no CERTIFICATE block found`, field);
  return certificates;
}

/** True when `text` looks like PEM rather than binary DER. */
export function looksLikePem(text: string | Uint8Array): boolean {
  const head = typeof text === "string" ? text.slice(0, 4096) : Buffer.from(text.subarray(0, 4096)).toString("latin1");
  return head.includes("-----BEGIN ");
}

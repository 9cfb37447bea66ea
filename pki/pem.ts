import { PkiError } from "./errors";

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

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Every PEM block in `text`, in order (RFC 7468; text between blocks, such as openssl's
 * "subject=" lines, is ignored). Throws PEM_INVALID naming `field` when there is no block, when
 * BEGIN and END labels differ, when the body is not base64, or when it carries RFC 1421 headers
 * (the legacy encrypted-key form).
 */
export function readPemBlocks(text: string, field: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, label, body, endLabel] = match;
    if (label !== endLabel) throw new PkiError("PEM_INVALID", `${field}: PEM block BEGIN ${label} ends with END ${endLabel}`, field);
    if (body!.includes(":")) throw new PkiError("PEM_INVALID", `${field}: the ${label} block has headers (an encrypted legacy PEM); export it unencrypted`, field);
    const base64 = body!.replace(/\s+/g, "");
    const der = Buffer.from(base64, "base64");
    // node's decoder skips what is not base64 and accepts the URL alphabet; encoding back must give
    // the same text (a regular expression over a megabyte CRL takes ten times longer).
    if (der.toString("base64") !== base64) throw new PkiError("PEM_INVALID", `${field}: the ${label} block is not valid base64`, field);
    blocks.push({ label: label!, der: new Uint8Array(der) });
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

import { randomBytes } from "node:crypto";
import { PkiError } from "./errors";

/** Length of the serials we issue: the RFC 5280 maximum of 20 octets. */
export const SERIAL_BYTES = 20;

/**
 * A random positive serial of exactly 20 octets as lowercase hex: the first octet is 0x40–0x7f, so
 * the DER INTEGER is positive, minimal and always the same length, with 157 random bits (the CA/B
 * Forum asks for 64).
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(SERIAL_BYTES);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString("hex");
}

/**
 * Normalises a serial typed by a person or read from a tool: hex with optional `0x`, colons or
 * spaces (openssl's forms). Returns
 * lowercase hex without leading zeros (at least one digit).
 */
export function normaliseSerial(value: unknown, field = "serialNumber"): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new PkiError("SERIAL_INVALID", `${field} must be a non-empty hex string`, field);
  }
  const hex = value.trim().replace(/^0x/i, "").replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 2 * SERIAL_BYTES + 2) {
    throw new PkiError("SERIAL_INVALID", `${field} must be hex digits (optionally with colons), at most 20 octets; got ${JSON.stringify(value)}`, field);
  }
  return hex.replace(/^0+(?=.)/, "");
}

/** A hex serial as the decimal string API Gateway logs and the prior art's inventory keys on. */
export function serialHexToDecimal(hex: string): string {
  return BigInt("0x" + normaliseSerial(hex)).toString(10);
}

/** A hex serial as the big-endian bytes of a positive INTEGER, in a buffer of its own (as asn1-schema wants it). */
export function serialHexToBytes(serialHex: string): ArrayBuffer {
  const hex = /^[0-9a-f]+$/.test(serialHex) ? serialHex : normaliseSerial(serialHex);
  const even = hex.length % 2 ? "0" + hex : hex;
  const bytes = new Uint8Array(even.length / 2);
  Buffer.from(bytes.buffer).write(even, "hex");
  return bytes.buffer;
}

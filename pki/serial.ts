import { randomBytes } from "node:crypto";
import { PkiError } from "./errors";

/** Length of the serials we issue: the RFC 5280 maximum of 20 octets. */
export const SERIAL_BYTES = 20;

// Random octets drawn in blocks (one system call per 204 serials, as randomUUID does for UUIDs).
const POOL_SERIALS = 204;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * A random positive serial of exactly 20 octets as lowercase hex: the first octet is 0x40–0x7f, so
 * the DER INTEGER is positive, minimal and always the same length, with 157 random bits (the CA/B
 * Forum asks for 64).
 */
export function randomSerialHex(): string {
  if (poolOffset + SERIAL_BYTES > pool.byteLength) {
    pool = randomBytes(SERIAL_BYTES * POOL_SERIALS);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + SERIAL_BYTES);
  poolOffset += SERIAL_BYTES;
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
    // Echo a bounded prefix: the input is the caller's, and the message is logged and returned.
    const shown = value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}… (${value.length} characters)` : JSON.stringify(value);
    throw new PkiError("SERIAL_INVALID", `${field} must be hex digits (optionally with colons), at most 20 octets; got ${shown}`, field);
  }
  return hex.replace(/^0+(?=.)/, "");
}

/** A hex serial as the decimal string API Gateway logs and the prior art's inventory keys on. */
export function serialHexToDecimal(hex: string): string {
  return BigInt("0x" + normaliseSerial(hex)).toString(10);
}

/**
 * A serial as the hex of its DER INTEGER content: the minimal positive encoding (leading zeros
 * dropped, a zero octet added when the top bit is set, X.690 §8.3.2), for certificates and CRL
 * entries. Refuses serials over 20 octets (RFC 5280 §4.1.2.2) with SERIAL_INVALID naming `field`.
 */
export function serialIntegerHex(serialHex: string, field = "serialNumber"): string {
  let hex = /^[0-9a-f]+$/.test(serialHex) ? serialHex : normaliseSerial(serialHex, field);
  if (hex.charCodeAt(0) === 0x30) hex = hex.replace(/^0+(?=.)/, "");
  if (hex.length % 2) hex = "0" + hex;
  if (hex.length > 2 * SERIAL_BYTES) {
    throw new PkiError("SERIAL_INVALID", `${field} is ${hex.length / 2} octets; serials are at most ${SERIAL_BYTES} (RFC 5280)`, field);
  }
  // Digits 8-f set the top bit, which would make the INTEGER negative.
  return hex.charCodeAt(0) >= 0x38 ? "00" + hex : hex;
}

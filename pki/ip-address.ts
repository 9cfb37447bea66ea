import { isIPv4, isIPv6 } from "node:net";
import { PkiError } from "./errors";

/** An IP address as a certificate carries it (4 or 16 octets) and in its one canonical text form. */
export interface IpAddress {
  /** Dotted decimal for IPv4; RFC 5952 form (lower case, longest zero run as `::`, no embedded IPv4) for IPv6. */
  readonly canonical: string;
  readonly bytes: Uint8Array;
}

/**
 * Parses an IP address written as text. IPv4 is dotted decimal without leading zeros; IPv6 is any
 * RFC 4291 text form, including an embedded IPv4 tail (`::ffff:10.1.2.3`, `64:ff9b::192.168.1.1`).
 * Zone ids (`fe80::1%eth0`) are refused: they name an interface of one host and a certificate
 * cannot carry them. Node's own parsers decide what is an address: `net.isIP` for the syntax and the
 * WHATWG URL host parser for the IPv6 value and its canonical serialisation.
 */
export function parseIpAddress(text: string, field: string): IpAddress {
  if (text.includes("%")) {
    throw new PkiError("SAN_INVALID", `${field}: ${JSON.stringify(text)} has a zone id (%…), which a certificate cannot carry; give the address alone`, field);
  }
  if (isIPv4(text)) return { canonical: text, bytes: Uint8Array.from(text.split(".").map(Number)) };
  if (!isIPv6(text)) throw new PkiError("SAN_INVALID", `${field}: ${JSON.stringify(text)} is not an IP address`, field);
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname;
  } catch {
    throw new PkiError("SAN_INVALID", `${field}: ${JSON.stringify(text)} is not an IPv6 address`, field);
  }
  const canonical = host.slice(1, -1);
  return { canonical, bytes: ipv6Bytes(canonical) };
}

// The URL serialiser writes hex groups only, with at most one `::`: expand it to eight groups.
function ipv6Bytes(canonical: string): Uint8Array {
  const [head, tail] = canonical.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** The address in a certificate's or CSR's iPAddress octets: exactly 4 or 16 of them. */
export function ipAddressFromBytes(bytes: Uint8Array, field: string): IpAddress {
  if (bytes.length === 4) return { canonical: Array.from(bytes).join("."), bytes: Uint8Array.from(bytes) };
  if (bytes.length === 16) {
    const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
    return parseIpAddress(groups.join(":"), field);
  }
  throw new PkiError("SAN_INVALID", `${field}: an iPAddress of ${bytes.length} octets is neither IPv4 (4) nor IPv6 (16); address ranges are not certified`, field);
}

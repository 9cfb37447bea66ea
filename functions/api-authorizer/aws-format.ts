/**
 * Parsers for the client-certificate fields as API Gateway hands them to authorizers and logs:
 * DNs in certificate order joined by commas (`CN=CloudFront,C=GB,L=London,O=Serverless Inc,
 * OU=CloudFront,ST=England`, special characters escaped with a backslash) and dates like
 * `May 28 12:30:02 2019 GMT`.
 */

/** One attribute of a DN, in order. Multi-valued RDNs (`a=1+b=2`) give one entry per value. */
export interface DnAttribute {
  readonly type: string;
  readonly value: string;
}

/** Parses an API Gateway DN; returns undefined for anything malformed (callers deny). */
export function parseAwsDn(dn: unknown): DnAttribute[] | undefined {
  if (typeof dn !== "string" || dn.length === 0 || dn.length > 4096) return undefined;
  const attributes: DnAttribute[] = [];
  let type = "";
  let value = "";
  let inValue = false;
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === "\\") {
      const next = dn[i + 1];
      if (next === undefined) return undefined;
      if (inValue) value += next;
      else type += next;
      i++;
    } else if (!inValue && c === "=") {
      inValue = true;
    } else if (inValue && (c === "," || c === "+")) {
      if (!type.trim()) return undefined;
      attributes.push({ type: type.trim(), value: value.trim() });
      type = "";
      value = "";
      inValue = false;
    } else if (inValue) {
      value += c;
    } else {
      type += c;
    }
  }
  if (!inValue || !type.trim()) return undefined;
  attributes.push({ type: type.trim(), value: value.trim() });
  return attributes;
}

/** The single value of `type` in a DN, or undefined when absent or given more than once. */
export function dnValue(attributes: readonly DnAttribute[], type: string): string | undefined {
  const found = attributes.filter((a) => a.type.toUpperCase() === type.toUpperCase());
  return found.length === 1 ? found[0]!.value : undefined;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Parses `May 28 12:30:02 2019 GMT` (one or two spaces before a one-digit day, as openssl prints). */
export function parseAwsDate(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const match = text.match(/^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/);
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return undefined;
  const date = new Date(Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Formats a date the way API Gateway does (the inverse of {@link parseAwsDate}). */
export function formatAwsDate(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, " ");
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  return `${MONTHS[date.getUTCMonth()]} ${day} ${time} ${date.getUTCFullYear()} GMT`;
}

/** `13/Feb/2026:19:50:25 +0000`: API Gateway's `$context.requestTime`. */
export function formatAwsRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * Characters that make a spreadsheet read a cell as a formula when they lead it (OWASP "CSV
 * Injection"; ASVS 1.2.10): `=`, `+`, `-`, `@`, tab, carriage return, and NUL.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r\0]/;

/**
 * One CSV field: a value that could start a formula gets a leading `'` (so a spreadsheet shows it
 * as text), then RFC 4180 quoting — fields with a comma, a double quote or a line break are put in
 * double quotes, with inner double quotes doubled.
 */
export function csvField(value: string): string {
  const neutralised = FORMULA_TRIGGER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralised) ? `"${neutralised.replace(/"/g, '""')}"` : neutralised;
}

/** A CSV document (RFC 4180: CRLF line breaks, a header row). */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

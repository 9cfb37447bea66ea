/**
 * Code points that must not reach a terminal from data: controls (escape sequences, C1 CSI, line
 * breaks), format characters (bidi overrides that reorder what is shown, zero-width characters),
 * private-use and lone surrogates, line and paragraph separators — the classes issuance refuses
 * in certified names (names.ts), which older inventory records or other tools may still hold.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** `text` with every code point a terminal could act on replaced by `?`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, "?");
}

/** A plain-text table: columns padded to their widest cell, two spaces apart; optionally a dashed rule under the header. Cells are shown {@link printable}. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], options: { rule?: boolean } = {}): string {
  const cells = rows.map((r) => r.map((cell) => printable(cell ?? "")));
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] ?? "").length)));
  const line = (row: readonly string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd();
  return [line(header), ...(options.rule ? [line(widths.map((w) => "-".repeat(w)))] : []), ...cells.map(line)].join("\n") + "\n";
}

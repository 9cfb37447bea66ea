/** A plain-text table: columns padded to their widest cell, two spaces apart; optionally a dashed rule under the header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], options: { rule?: boolean } = {}): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd();
  return [line(header), ...(options.rule ? [line(widths.map((w) => "-".repeat(w)))] : []), ...rows.map(line)].join("\n") + "\n";
}

/**
 * Glob matching without regular expressions: `*` matches any run of characters (none included),
 * `?` (with `single`) exactly one, anything else itself, case-sensitively, over UTF-16 code units.
 * One backtrack point (the last `*`) is kept, so a pattern of many stars costs at most pattern ×
 * text steps: as a regular expression, `*a*a…*c` backtracked for minutes on a 400-character name.
 */
export function wildcardMatches(pattern: string, text: string, single = false): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === "*") {
      star = p++;
      resume = t;
    } else if (p < pattern.length && (c === text[t] || (single && c === "?"))) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

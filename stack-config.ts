// Reading `edge-mtls:*` configuration, shared by both stack programs.

/** A wrong config value: which key, what was wrong, what is allowed. */
export class StackConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`config edge-mtls:${key} ${problem}`);
    this.name = "StackConfigError";
  }
}

/** A config value: objects, lists and booleans arrive as JSON text; everything else stays a string. */
export function structuredValue(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (/^[[{]/.test(trimmed) || trimmed === "true" || trimmed === "false") {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw; // the config reader reports the key with what it expected
    }
  }
  return raw;
}

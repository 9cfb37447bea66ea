import { parseArgs } from "node:util";

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  /** Width of the terminal, for help text; default {@link DEFAULT_COLUMNS}. */
  readonly columns?: number;
}

/** Help text width when the output is not a terminal. */
export const DEFAULT_COLUMNS = 80;

/** A wrong invocation: bad or missing flags. Exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The flag or argument at fault, when known. */
    readonly field?: string,
    readonly code: "USAGE" | "UNKNOWN_COMMAND" = "USAGE",
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** One command-line flag. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly description: string;
  /** Shown in the help; the command applies it. */
  readonly defaultText?: string;
  readonly required?: boolean;
}

/** What help and argument checking need of a command: everything but its code. */
export interface CommandSpec {
  /** Command words, e.g. `["cert", "issue"]`. */
  readonly words: readonly string[];
  readonly summary: string;
  readonly positionals?: readonly string[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

/** A command: its words, flags, positional arguments and what it does. */
export interface Command<V = Record<string, string | boolean | string[] | undefined>> extends CommandSpec {
  run(values: V, positionals: string[], io: Io): Promise<number>;
}

/** A command's spec as plain data (the build writes these so help loads no command module). */
export function specOf(command: CommandSpec): CommandSpec {
  return { words: [...command.words], summary: command.summary, ...(command.positionals ? { positionals: [...command.positionals] } : {}), flags: command.flags };
}

/** Splits `text` into lines of at most `width` characters, at spaces; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  let line = "";
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > limit) {
      if (line) lines.push(line);
      lines.push(word.slice(0, limit));
      word = word.slice(limit);
      line = "";
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= limit) line += " " + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Two columns (a term and its description) within `width`: descriptions wrap in their column; a
 * term too wide for its column gets a line of its own; a terminal too narrow for two columns gets
 * each description under its term.
 */
export function twoColumns(rows: readonly (readonly [string, string])[], width: number): string[] {
  const indent = 2;
  const termWidth = Math.min(Math.max(...rows.map(([term]) => term.length)) + 2, Math.floor(width * 0.4));
  const descriptionWidth = width - indent - termWidth;
  const lines: string[] = [];
  for (const [term, description] of rows) {
    if (descriptionWidth < 20) {
      lines.push(...wrap(term, width - indent).map((l) => " ".repeat(indent) + l));
      lines.push(...wrap(description, width - indent - 4).map((l) => " ".repeat(indent + 4) + l));
      continue;
    }
    const text = wrap(description, descriptionWidth);
    if (term.length + 2 > termWidth) lines.push(...wrap(term, width - indent).map((l) => " ".repeat(indent) + l));
    else lines.push(" ".repeat(indent) + term.padEnd(termWidth) + text.shift());
    lines.push(...text.map((l) => " ".repeat(indent + termWidth) + l));
  }
  return lines;
}

/** The help text of a command, wrapped to `width` columns. */
export function usage(command: CommandSpec, width: number = DEFAULT_COLUMNS): string {
  const positionals = (command.positionals ?? []).map((p) => ` ${p}`).join("");
  const rows: [string, string][] = Object.entries(command.flags).map(([name, spec]) => {
    const value = spec.type === "string" ? ` <${name.split("-").pop()}>` : "";
    const notes = [spec.required ? "required" : "", spec.multiple ? "repeatable" : "", spec.defaultText ? `default ${spec.defaultText}` : ""].filter(Boolean).join(", ");
    return [`--${name}${value}`, spec.description + (notes ? ` (${notes})` : "")];
  });
  rows.push(["--help", "show this help"]);
  return [...wrap(`Usage: edge-mtls ${command.words.join(" ")}${positionals} [flags]`, width), "", ...wrap(command.summary, width), "", "Flags:", ...twoColumns(rows, width)].join("\n") + "\n";
}

/** The flag a usage message is about: `--name` when the message starts with it or quotes it. */
function flagIn(message: string): string | undefined {
  return message.match(/^(--[a-z0-9][a-z0-9-]*)/i)?.[1] ?? message.match(/option '(--?[a-z0-9][a-z0-9-]*)/i)?.[1];
}

/**
 * Parses `args` for `command` and runs it: `--help` prints its usage; bad flags are a UsageError
 * (exit 2). Everything is checked against the spec before `load` brings in the command's code, so
 * help and usage errors stay fast.
 */
export async function runCommand(command: CommandSpec & { run?: Command["run"] }, args: string[], io: Io, load?: () => Promise<Command<never>>): Promise<number> {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = { help: { type: "boolean" } };
  for (const [name, spec] of Object.entries(command.flags)) options[name] = { type: spec.type, multiple: spec.multiple ?? false };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(message, flagIn(message));
  }
  if (parsed.values.help) {
    io.stdout.write(usage(command, io.columns));
    return 0;
  }
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.required && parsed.values[name] === undefined) throw new UsageError(`--${name} is required: ${spec.description}`, `--${name}`);
  }
  const expected = command.positionals ?? [];
  if (parsed.positionals.length !== expected.length) {
    throw new UsageError(expected.length === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${expected.join(" ")}; got ${parsed.positionals.length} argument(s)`, expected[parsed.positionals.length]);
  }
  const run = command.run ?? (load ? (await load()).run : undefined);
  if (!run) throw new Error(`edge-mtls ${command.words.join(" ")} has no code to run`);
  return (run as Command["run"])(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals, io);
}

/** An error as the CLI reports it: a stable code, the field at fault, a message, the exit code. */
export interface ErrorReport {
  readonly code: string;
  readonly field?: string;
  readonly message: string;
  readonly exitCode: 1 | 2;
}

const BUILT_IN_ERRORS = new Set(["Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"]);

/**
 * What any error means to a user, in one shape: usage errors (exit 2); errors that carry a code
 * (PkiError, AutomationError, node's system errors: ENOENT, EACCES, …) with their field; named
 * errors (AwsCallError → AWS_CALL); anything else is ours to fix (INTERNAL).
 */
export function describeError(error: unknown): ErrorReport {
  const e = (error ?? {}) as { code?: unknown; field?: unknown; name?: unknown; message?: unknown };
  const text = typeof e.message === "string" ? e.message : String(error);
  const field = typeof e.field === "string" && e.field ? e.field : undefined;
  if (error instanceof UsageError) return { code: error.code, field: error.field ?? flagIn(text), message: text, exitCode: 2 };
  if (typeof e.code === "string" && /^[A-Z][A-Z0-9_]*$/.test(e.code)) {
    return { code: e.code, field, message: text.startsWith(`${e.code}: `) ? text.slice(e.code.length + 2) : text, exitCode: 1 };
  }
  const name = typeof e.name === "string" ? e.name : "Error";
  if (/^[A-Z][A-Za-z0-9]*Error$/.test(name) && !BUILT_IN_ERRORS.has(name)) {
    return { code: name.replace(/Error$/, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase(), field, message: text, exitCode: 1 };
  }
  return { code: "INTERNAL", field, message: `${text} (an edge-mtls bug: please report it with the command you ran)`, exitCode: 1 };
}

/** The one line every error is printed as: `edge-mtls: error CODE (field): message` (a message's own line breaks become spaces). */
export function formatError(report: ErrorReport): string {
  return `edge-mtls: error ${report.code}${report.field ? ` (${report.field})` : ""}: ${report.message.trim().replace(/\s*\r?\n\s*/g, " ")}\n`;
}

/** Prints an error the way every command does (one line, its code and field, no stack trace); usage errors add `help`. */
export function reportError(error: unknown, io: Io, help?: string): number {
  const report = describeError(error);
  io.stderr.write(formatError(report) + (report.exitCode === 2 && help ? "\n" + help : ""));
  return report.exitCode;
}

/** A positive whole number from a flag, or a UsageError naming the flag. */
export function intFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--${flag} must be a whole number; got ${JSON.stringify(value)}`, `--${flag}`);
  return Number(value);
}

import { parseArgs } from "node:util";
import { isPkiError } from "../pki/errors";

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

/** A wrong invocation: bad or missing flags. Exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
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

/** A command: its words, flags, positional arguments and what it does. */
export interface Command<V = Record<string, string | boolean | string[] | undefined>> {
  /** Command words, e.g. `["cert", "issue"]`. */
  readonly words: readonly string[];
  readonly summary: string;
  readonly positionals?: readonly string[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
  run(values: V, positionals: string[], io: Io): Promise<number>;
}

/** The help text of a command. */
export function usage(command: Command<never>): string {
  const positionals = (command.positionals ?? []).map((p) => ` ${p}`).join("");
  const lines = [`Usage: edge-mtls ${command.words.join(" ")}${positionals} [flags]`, "", command.summary, "", "Flags:"];
  for (const [name, spec] of Object.entries(command.flags)) {
    const value = spec.type === "string" ? ` <${name.split("-").pop()}>` : "";
    const notes = [spec.required ? "required" : "", spec.multiple ? "repeatable" : "", spec.defaultText ? `default ${spec.defaultText}` : ""].filter(Boolean).join(", ");
    lines.push(`  --${name}${value}`.padEnd(30) + spec.description + (notes ? ` (${notes})` : ""));
  }
  lines.push(`  --help`.padEnd(30) + "show this help");
  return lines.join("\n") + "\n";
}

/** Parses `args` for `command` and runs it; `--help` prints usage; usage errors exit 2. */
export async function runCommand(command: Command<never>, args: string[], io: Io): Promise<number> {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = { help: { type: "boolean" } };
  for (const [name, spec] of Object.entries(command.flags)) options[name] = { type: spec.type, multiple: spec.multiple ?? false };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    io.stdout.write(usage(command));
    return 0;
  }
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.required && parsed.values[name] === undefined) throw new UsageError(`--${name} is required: ${spec.description}`);
  }
  const expected = command.positionals ?? [];
  if (parsed.positionals.length !== expected.length) {
    throw new UsageError(expected.length === 0 ? `unexpected argument ${parsed.positionals[0]}` : `expected ${expected.join(" ")}; got ${parsed.positionals.length} argument(s)`);
  }
  return (command.run as Command["run"])(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals, io);
}

/** Prints an error the way every command does: one line, its code and field, no stack trace. */
export function reportError(error: unknown, io: Io, help?: string): number {
  if (error instanceof UsageError) {
    io.stderr.write(`edge-mtls: ${error.message}\n${help ? "\n" + help : ""}`);
    return 2;
  }
  if (isPkiError(error)) {
    io.stderr.write(`edge-mtls: error ${error.code}${error.field ? ` (${error.field})` : ""}: ${error.message}\n`);
    return 1;
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  io.stderr.write(`edge-mtls: ${code ? `${code}: ` : ""}${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}

/** A positive whole number from a flag, or a UsageError naming the flag. */
export function intFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--${flag} must be a whole number; got ${JSON.stringify(value)}`);
  return Number(value);
}

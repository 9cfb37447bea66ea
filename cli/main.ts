import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT, RUNNING_COMPILED } from "../package-root";
import { Command, CommandSpec, DEFAULT_COLUMNS, Io, reportError, runCommand, specOf, twoColumns, usage, UsageError, wrap } from "./command";

/**
 * Every command of the `edge-mtls` binary, in help order. Each is loaded only when it runs: the
 * AWS SDK, X.509 libraries, the rehearsal and Pulumi are heavy, and `--help` needs none of them.
 */
export const COMMAND_LOADERS: readonly (() => Promise<Command<never>>)[] = [
  async () => (await import("./commands/ca-init")).caInitCommand as Command<never>,
  async () => (await import("./commands/cert-issue")).certIssueCommand as Command<never>,
  async () => (await import("./commands/cert-revoke")).certRevokeCommand as Command<never>,
  async () => (await import("./commands/cert-list")).certListCommand as Command<never>,
  async () => (await import("./commands/cert-inspect")).certInspectCommand as Command<never>,
  async () => (await import("./commands/crl")).crlCommand as Command<never>,
  async () => (await import("./commands/demo")).demoCommand as Command<never>,
  async () => (await import("./commands/rehearse")).rehearseCommand as Command<never>,
  async () => (await import("./commands/verify")).verifyCommand as Command<never>,
  async () => (await import("./commands/stacks")).stackCommand("deploy") as Command<never>,
  async () => (await import("./commands/stacks")).stackCommand("preview") as Command<never>,
  async () => (await import("./commands/stacks")).stackCommand("destroy") as Command<never>,
  async () => (await import("./commands/stacks")).stackCommand("outputs") as Command<never>,
];

/** The file the build writes beside the compiled main.js: every command's spec, in order, so help loads no command. */
export const COMMAND_MANIFEST = "commands.json";

/** Every command, loaded (tests; the build, for the manifest). */
export function loadCommands(): Promise<Command<never>[]> {
  return Promise.all(COMMAND_LOADERS.map((load) => load()));
}

/** The commands' specs: from the build's manifest when running compiled, else from the command modules. */
async function commandSpecs(): Promise<readonly CommandSpec[]> {
  const manifest = join(__dirname, COMMAND_MANIFEST);
  if (RUNNING_COMPILED && existsSync(manifest)) {
    const specs = JSON.parse(readFileSync(manifest, "utf8")) as CommandSpec[];
    if (Array.isArray(specs) && specs.length === COMMAND_LOADERS.length) return specs;
  }
  return (await loadCommands()).map(specOf);
}

/** This package's version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** The overview: every command with the first sentence of its summary, wrapped to `width`. */
function overview(specs: readonly CommandSpec[], width: number): string {
  const commands = twoColumns(
    specs.map((c) => [c.words.join(" "), c.summary.split(". ")[0]!.replace(/\.$/, "")]),
    width,
  );
  const flags = twoColumns([["--help", "show this help"], ["--version", "print the version"]], width);
  return [...wrap("Usage: edge-mtls <command> [flags]", width), "", "Commands:", ...commands, "", "Flags:", ...flags, "", ...wrap("Run 'edge-mtls <command> --help' for its flags.", width)].join("\n") + "\n";
}

/** Runs the CLI on `argv` (without node and script); returns the exit code. Every error is printed the same way. */
export async function main(argv: string[], io: Io): Promise<number> {
  const width = io.columns && io.columns > 0 ? io.columns : DEFAULT_COLUMNS;
  const sized = { ...io, columns: width };
  let help: string | undefined;
  try {
    if (argv[0] === "--version") {
      io.stdout.write(`edge-mtls ${packageVersion()}\n`);
      return 0;
    }
    const specs = await commandSpecs();
    help = overview(specs, width);
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
      io.stdout.write(help);
      return argv.length === 0 ? 2 : 0;
    }
    const index = specs.findIndex((c) => c.words.every((word, i) => argv[i] === word));
    if (index < 0) throw new UsageError(`'${argv.slice(0, 2).join(" ")}' is not an edge-mtls command`, undefined, "UNKNOWN_COMMAND");
    const spec = specs[index]!;
    help = usage(spec, width);
    return await runCommand(spec, argv.slice(spec.words.length), sized, COMMAND_LOADERS[index]);
  } catch (error) {
    return reportError(error, io, help);
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), columns: process.stdout.columns }).then((code) => {
    process.exitCode = code;
  });
}

import { Command, Io, reportError, runCommand, usage } from "./command";
import { caInitCommand } from "./commands/ca-init";
import { certInspectCommand } from "./commands/cert-inspect";
import { certIssueCommand } from "./commands/cert-issue";
import { certListCommand } from "./commands/cert-list";
import { certRevokeCommand } from "./commands/cert-revoke";
import { crlCommand } from "./commands/crl";
import { demoCommand } from "./commands/demo";
import { rehearseCommand } from "./commands/rehearse";
import { stackCommand } from "./commands/stacks";
import { verifyCommand } from "./commands/verify";

/** Every command of the `edge-mtls` binary. */
export const COMMANDS: readonly Command<never>[] = [caInitCommand, certIssueCommand, certRevokeCommand, certListCommand, certInspectCommand, crlCommand, demoCommand, rehearseCommand, verifyCommand, stackCommand("deploy"), stackCommand("preview"), stackCommand("destroy"), stackCommand("outputs")] as unknown as Command<never>[];

function overview(): string {
  return (
    "Usage: edge-mtls <command> [flags]\n\nCommands:\n" +
    COMMANDS.map((c) => `  ${c.words.join(" ").padEnd(14)}${c.summary.split(". ")[0]}`).join("\n") +
    "\n\nRun 'edge-mtls <command> --help' for its flags.\n"
  );
}

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
    io.stdout.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.words.every((word, i) => argv[i] === word));
  if (!command) {
    io.stderr.write(`edge-mtls: unknown command '${argv.slice(0, 2).join(" ")}'\n\n${overview()}`);
    return 2;
  }
  try {
    return await runCommand(command, argv.slice(command.words.length), io);
  } catch (error) {
    return reportError(error, io, usage(command));
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}

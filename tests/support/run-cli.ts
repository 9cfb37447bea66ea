import { main } from "../../cli/main";

/** Runs the edge-mtls CLI in this process, in `cwd`, and captures what it prints. */
export async function runCli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { cwd, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

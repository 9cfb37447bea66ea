import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/** A file to write: its content and whether it holds a secret (then it is written 0600). */
export interface OutputFile {
  readonly name: string;
  /** Text (written as UTF-8) or bytes (DER). */
  readonly content: string | Uint8Array;
  readonly secret: boolean;
}

/**
 * Writes all files or none: each goes to a temporary name first (created 0600 for secrets, so a
 * key is never readable by others, not even for a moment), then all are renamed into place. If
 * any write fails, the temporaries are removed and nothing is left behind.
 */
export function writeFilesAtomically(dir: string, files: readonly OutputFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  const staged: { temporary: string; final: string }[] = [];
  try {
    for (const file of files) {
      const final = join(dir, file.name);
      const temporary = join(dirname(final), `.${file.name}.${process.pid}.tmp`);
      const fd = openSync(temporary, "wx", file.secret ? 0o600 : 0o644);
      staged.push({ temporary, final });
      try {
        writeSync(fd, typeof file.content === "string" ? Buffer.from(file.content, "utf8") : file.content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // The umask may have narrowed the mode; make it exactly what was asked.
      chmodSync(temporary, file.secret ? 0o600 : 0o644);
    }
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    throw error;
  }
  for (const { temporary, final } of staged) renameSync(temporary, final);
  return staged.map((s) => s.final);
}

/** Flushes a directory's entries (new names, renames) to disk; a no-op where directories cannot be opened. */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!["EINVAL", "EISDIR", "EPERM"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes what a killed process left in `dir`: entries whose name matches `pattern`, whose first
 * group is the pid of the process that made them, when that process is gone (or is this one, which
 * by then holds nothing of its own there). Callers hold whatever lock guards `dir`.
 */
export function removeAbandoned(dir: string, pattern: RegExp): void {
  for (const entry of readdirSync(dir)) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (pid && (pid === process.pid || !processIsAlive(pid))) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Matches the temporaries {@link writeFilesAtomically} makes: `.<name>.<pid>.tmp`. */
export const TEMPORARY_FILE = /^\..+\.(\d+)\.tmp$/;

/**
 * The how-to's four files for a certificate called `name`: `<name>-key.pem` (the key),
 * `<name>-cert.pem` (the leaf), `<name>-cert.crt` (leaf, issuing, root) and `<name>-cert-key.pem`
 * (key, then leaf, issuing, root). Without a key (a CSR the user brought), only the two
 * certificate files.
 */
export function certificateFiles(name: string, leafPem: string, chainPem: string, privateKeyPem?: string): OutputFile[] {
  const files: OutputFile[] = [
    { name: `${name}-cert.pem`, content: leafPem, secret: false },
    { name: `${name}-cert.crt`, content: leafPem + chainPem, secret: false },
  ];
  if (privateKeyPem !== undefined) {
    files.unshift({ name: `${name}-key.pem`, content: privateKeyPem, secret: true });
    files.push({ name: `${name}-cert-key.pem`, content: privateKeyPem + leafPem + chainPem, secret: true });
  }
  return files;
}

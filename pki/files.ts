import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
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

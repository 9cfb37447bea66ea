import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type { EngineResource } from "./evaluate";
import { isEmpty, SECRET_SIG, SIG_KEY } from "./normalise";

/** Unusable input to the checker (missing file, not JSON, not a stack export, a malformed value): exit code 2. */
export class InputError extends Error {
  readonly code = "POLICY_INPUT_UNUSABLE";
}

/** The largest stack export the checker reads (a real export of thousands of resources is a few tens of MiB). */
export const MAX_EXPORT_BYTES = 256 * 1024 * 1024;
/** How deeply property values may nest (provider schemas nest a handful of levels). */
const MAX_DEPTH = 100;

// Signatures Pulumi writes into a stack export besides secrets (sdk/go/common/resource/sig): kept as opaque values.
const OPAQUE_SIGS = new Set(["c44067f5952c0a294b673a41bacd8c17" /* asset */, "0def7320c3a5731c473e5ecbe6d49f2c" /* archive */, "5cf8f73096256a8f31e491e813e4eb8e" /* resource reference */]);

/** Reads a file of at most `limit` bytes, whatever it is (a FIFO or /dev/zero included). */
function readLimited(path: string, limit: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw new InputError(`${path} is larger than ${limit / 1024 / 1024} MiB; give the output of 'pulumi stack export'`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks a property value of an export in place: secrets shown with --show-secrets are replaced by
 * their plaintext; secrets held as ciphertext stay as they are (the rules refuse to judge them);
 * a malformed secret, an unknown signature or absurd nesting is unusable input.
 */
function decodeValues(value: unknown, where: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new InputError(`${where} nests deeper than ${MAX_DEPTH} levels; this is not a stack export`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValues(value[i], `${where}[${i}]`, depth + 1);
    return value;
  }
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, SIG_KEY)) {
    const sig = record[SIG_KEY];
    if (sig === SECRET_SIG) {
      // As Pulumi's own reader (DeserializePropertyValue): exactly one of ciphertext and plaintext, a string.
      const cipher = typeof record.ciphertext === "string";
      const plain = typeof record.plaintext === "string";
      if (cipher === plain) throw new InputError(`${where} is a malformed secret: it needs exactly one of ciphertext or plaintext, a string`);
      if (cipher) return record;
      let decoded: unknown;
      try {
        decoded = JSON.parse(record.plaintext as string);
      } catch {
        throw new InputError(`${where} is a malformed secret: its plaintext is not JSON`);
      }
      return decodeValues(decoded, where, depth + 1);
    }
    if (typeof sig === "string" && OPAQUE_SIGS.has(sig)) return record;
    throw new InputError(`${where} has an unrecognised signature ${JSON.stringify(String(sig).slice(0, 40))}; this is not a stack export Pulumi wrote`);
  }
  for (const key of Object.keys(record)) record[key] = decodeValues(record[key], `${where}.${key}`, depth + 1);
  return record;
}

/** A resource's inputs or outputs: an object, or absent. */
function propertyBag(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new InputError(`${where} is not an object`);
  return decodeValues(value, where) as Record<string, unknown>;
}

/** The resources of a `pulumi stack export` file, as the engine would show them to policies. */
export function resourcesFromExport(path: string, maxBytes = MAX_EXPORT_BYTES): EngineResource[] {
  const text = readLimited(path, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not JSON; give the output of 'pulumi stack export'`);
  }
  return resourcesFromExportDocument(parsed, path);
}

/** The resources of a parsed `pulumi stack export` document (`path` names it in messages). */
export function resourcesFromExportDocument(parsed: any, path: string): EngineResource[] {
  const resources: unknown = parsed?.deployment?.resources;
  if (!Array.isArray(resources)) throw new InputError(`${path} is not a stack export: it has no deployment.resources list ('pulumi stack export --file ${path}' makes one)`);
  const entries = resources.map((r: any, i: number) => {
    const where = `deployment.resources[${i}]`;
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new InputError(`${path}: ${where} is not a resource object`);
    if (typeof r.urn !== "string" || r.urn === "") throw new InputError(`${path}: ${where} has no urn`);
    if (typeof r.type !== "string" || r.type === "") throw new InputError(`${path}: ${where} (${r.urn.slice(0, 200)}) has no type`);
    if (r.provider !== undefined && r.provider !== null && typeof r.provider !== "string") throw new InputError(`${path}: ${where} (${r.urn.slice(0, 200)}) has a provider reference that is not a string`);
    if (r.id !== undefined && r.id !== null && typeof r.id !== "string") throw new InputError(`${path}: ${where} (${r.urn.slice(0, 200)}) has an id that is not a string`);
    const at = `${where} (${r.urn.slice(0, 200)})`;
    // Inputs win: they are what the program asked for; outputs add ids, ARNs, computed names, and
    // what an empty input leaves out; the id is the resource's own.
    const outputs = propertyBag(r.outputs, `${at}.outputs`);
    const inputs = propertyBag(r.inputs, `${at}.inputs`);
    const props: Record<string, unknown> = { ...(typeof r.id === "string" && r.id !== "" ? { id: r.id } : {}), ...outputs };
    for (const [key, value] of Object.entries(inputs)) if (!isEmpty(value) || !Object.prototype.hasOwnProperty.call(props, key)) Object.defineProperty(props, key, { value, enumerable: true, writable: true, configurable: true });
    return { urn: r.urn as string, type: r.type as string, provider: r.provider as string | undefined, props };
  });
  const byUrn = new Map(entries.map((e) => [e.urn, e]));
  return entries
    .filter((r) => !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      // A provider reference is "<provider urn>::<provider id>".
      const providerUrn = typeof r.provider === "string" ? r.provider.split("::").slice(0, -1).join("::") : undefined;
      const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
      return {
        type: r.type,
        name: r.urn.split("::").pop()!,
        urn: r.urn,
        props: r.props,
        provider: provider ? { type: provider.type, name: provider.urn.split("::").pop()!, urn: provider.urn, props: provider.props } : undefined,
      };
    });
}

/** The committed example config of a stack (`Pulumi.<stack>.yaml`), as `setAllConfig` wants it: strings, objects as JSON. */
export function exampleConfig(repoRoot: string, stack: string): Record<string, string> {
  const file = join(repoRoot, `Pulumi.${stack}.yaml`);
  let parsed: unknown;
  try {
    parsed = load(readFileSync(file, "utf8"));
  } catch (error) {
    // js-yaml's error carries the position; a read error its errno code.
    const e = error as { reason?: string; mark?: { line: number; column: number }; code?: string; message: string };
    throw new StackFileInvalid(`${file} cannot be read: ${e.reason && e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${e.reason}` : (e.code ?? e.message)}`);
  }
  const config = (parsed as { config?: unknown } | null | undefined)?.config;
  const isMapping = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if ((parsed != null && !isMapping(parsed)) || (config != null && !isMapping(config))) throw new StackFileInvalid(`${file} is not a stack file: it must be a mapping whose config: is a mapping of keys to values`);
  return Object.fromEntries(Object.entries((config ?? {}) as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** A committed stack file that is not valid YAML, or not a stack file's shape. */
export class StackFileInvalid extends Error {
  readonly code = "STACK_FILE_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "StackFileInvalid";
  }
}

import { resolve } from "node:path";
import { InventoryEntry, InventoryFilters, LISTED_STATUSES, filterInventory, listedStatus, parseInventoryFilters } from "../../pki/inventory-query";
import { isPkiError } from "../../pki/errors";
import { LocalCa } from "../../pki/local-ca";
import { awsClients, invokeCaFunction } from "../aws-ca";
import { Command, UsageError } from "../command";
import { toCsv } from "../csv";
import { formatTable } from "../text-table";

interface Flags {
  "ca-dir"?: string;
  "ca-function"?: string;
  region?: string;
  status?: string;
  "expiring-within"?: string;
  subject?: string;
  json?: boolean;
  csv?: boolean;
}

/** The columns of `--csv`, in order. */
export const CSV_COLUMNS = ["serial", "status", "notBefore", "notAfter", "subject", "sans", "purposes", "requester", "revokedAt", "reason"] as const;

/** The entries of a local CA that pass the filters (its inventory file, through LocalCa's reader). */
export async function listLocal(dir: string, filters: InventoryFilters, now: Date): Promise<InventoryEntry[]> {
  const ca = await LocalCa.open(dir);
  const entries = ca.records.map((r): InventoryEntry => ({
    serialHex: r.serialHex,
    status: listedStatus(r, now),
    subject: r.subject,
    sans: r.sans ?? [],
    purposes: r.purposes,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    requester: "",
  }));
  return filterInventory(entries, filters, now);
}

/** The deployed CA's entries that pass the filters: every page of its ca-inventory function. */
export async function listDeployed(invoke: (request: Record<string, unknown>) => Promise<Record<string, unknown>>, filters: InventoryFilters): Promise<{ entries: InventoryEntry[]; itemsRead: number }> {
  const entries: InventoryEntry[] = [];
  let itemsRead = 0;
  let cursor: string | undefined;
  do {
    const page = (await invoke({ action: "list", ...filters, ...(cursor ? { cursor } : {}) })) as { entries?: InventoryEntry[]; itemsRead?: number; cursor?: string };
    if (!Array.isArray(page.entries)) throw new Error("ca-inventory answered without entries");
    entries.push(...page.entries);
    itemsRead += page.itemsRead ?? 0;
    cursor = page.cursor;
  } while (cursor);
  return { entries: entries.sort((a, b) => (a.notAfter < b.notAfter ? -1 : a.notAfter > b.notAfter ? 1 : a.serialHex < b.serialHex ? -1 : 1)), itemsRead };
}

/** `edge-mtls cert list`: the inventory of a local or the deployed CA, filtered; a table, JSON or CSV. */
export const certListCommand: Command<Flags> = {
  words: ["cert", "list"],
  summary: "List the certificates a CA issued: a local CA (--ca-dir) or the deployed one (--ca-function, its read-only ca-inventory), filtered by status, expiry and subject; a table, --json or --csv.",
  flags: {
    "ca-dir": { type: "string", description: "directory of a local CA; or use --ca-function" },
    "ca-function": { type: "string", description: "the deployed CA's ca-inventory function (name or ARN; CA stack output inventoryFunctionArn)" },
    region: { type: "string", description: "with --ca-function: the CA's region", defaultText: "the AWS environment's" },
    status: { type: "string", description: `only certificates that are ${LISTED_STATUSES.join(", ")} (revoked wins over expired)` },
    "expiring-within": { type: "string", description: "only certificates not yet expired whose notAfter is within this many days" },
    subject: { type: "string", description: "only subjects matching this glob (* any run, ? one character), against the whole DN or its CN, e.g. 'user-*' or 'CN=*,OU=Ops'" },
    json: { type: "boolean", description: "print a JSON array" },
    csv: { type: "boolean", description: "print CSV (RFC 4180; cells a spreadsheet would run as formulas are prefixed with ')" },
  },
  async run(flags, _positionals, io) {
    if (!!flags["ca-dir"] === !!flags["ca-function"]) throw new UsageError("give either --ca-dir (a local CA) or --ca-function (the deployed CA's ca-inventory)");
    if (flags.json && flags.csv) throw new UsageError("give --json or --csv, not both");
    if (flags.region && !flags["ca-function"]) throw new UsageError("--region goes with --ca-function");
    let filters: InventoryFilters;
    try {
      filters = parseInventoryFilters({ status: flags.status, expiringWithinDays: flags["expiring-within"], subject: flags.subject }, { status: "--status", expiringWithinDays: "--expiring-within", subject: "--subject" });
    } catch (error) {
      throw isPkiError(error) ? new UsageError(error.message, error.field) : error;
    }
    const now = new Date();
    const { entries, itemsRead } = flags["ca-dir"]
      ? { entries: await listLocal(resolve(io.cwd, flags["ca-dir"]), filters, now), itemsRead: undefined }
      : await listDeployed((request) => invokeCaFunction(awsClients(flags.region).lambda, flags["ca-function"]!, request, "ca-inventory"), filters);
    if (flags.json) {
      io.stdout.write(JSON.stringify(entries, null, 2) + "\n");
    } else if (flags.csv) {
      io.stdout.write(toCsv(CSV_COLUMNS, entries.map((e) => [e.serialHex, e.status, e.notBefore, e.notAfter, e.subject, e.sans.join("; "), e.purposes.join("; "), e.requester, e.revokedAt ?? "", e.reason ?? ""])));
    } else {
      // formatTable keeps controls, bidi overrides and the like in any cell from reaching the terminal.
      io.stdout.write(entries.length ? formatTable(["SERIAL", "STATUS", "NOT AFTER", "SUBJECT", "REQUESTER"], entries.map((e) => [e.serialHex, e.status, e.notAfter, e.subject, e.requester]), { rule: true }) : "");
      io.stdout.write(`${entries.length} certificate${entries.length === 1 ? "" : "s"}${itemsRead !== undefined ? ` (the inventory read ${itemsRead} item${itemsRead === 1 ? "" : "s"})` : ""}\n`);
    }
    return 0;
  },
};

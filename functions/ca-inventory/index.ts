import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isPkiError, PkiError } from "../../pki/errors";
import { parseInventoryFilters } from "../../pki/inventory-query";
import { parseEvent } from "../shared/ca-service";
import { INVENTORY_ENV } from "../shared/contract";
import { DynamoInventory, InventoryPage } from "../shared/inventory";
import { jsonLogger, Logger } from "../shared/log";

/** The largest page one invocation returns (entries are a few hundred bytes; Lambda answers up to 6 MB). */
export const MAX_PAGE_SIZE = 1000;

export type InventoryResponse = InventoryPage | { error: ReturnType<PkiError["toJSON"]> };

/** What the handler works with. */
export interface InventoryDeps {
  readonly inventory: DynamoInventory;
  readonly clock: () => Date;
  readonly log: Logger;
}

/**
 * ca-inventory: read-only inventory queries for `edge-mtls cert list`. `{ status?, expiringWithinDays?,
 * subject?, pageSize?, cursor? }` → `{ entries, itemsRead, index, cursor? }`, read through the
 * expiry or revoked index (never a table scan), at most pageSize entries per call. Its role may
 * only query those indexes and read the two CA records; whoever may invoke it (the CA account's
 * IAM principals allowed lambda:InvokeFunction, and the roles of edge-mtls:inventoryReaderPrincipals)
 * can read the inventory and nothing else. Refusals come back as `{ error }`.
 */
export async function handle(rawEvent: unknown, deps: InventoryDeps): Promise<InventoryResponse> {
  try {
    const event = (parseEvent(rawEvent) ?? {}) as Record<string, unknown>;
    if (typeof event !== "object" || Array.isArray(event)) throw new PkiError("REQUEST_INVALID", "the request must be a JSON object", "request");
    const known = new Set(["action", "status", "expiringWithinDays", "subject", "pageSize", "cursor"]);
    const unknown = Object.keys(event).find((k) => !known.has(k));
    if (unknown) throw new PkiError("REQUEST_INVALID", `unknown field ${unknown}; allowed: ${[...known].join(", ")}`, unknown);
    if ((event.action ?? "list") !== "list") throw new PkiError("REQUEST_INVALID", `ca-inventory only lists: action must be "list"; got ${JSON.stringify(event.action)}`, "action");
    const filters = parseInventoryFilters(event);
    const pageSize = event.pageSize ?? MAX_PAGE_SIZE;
    if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new PkiError("REQUEST_INVALID", `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`, "pageSize");
    if (event.cursor !== undefined && typeof event.cursor !== "string") throw new PkiError("REQUEST_INVALID", "cursor must be the string a previous page returned", "cursor");
    const page = await deps.inventory.list(filters, { now: deps.clock(), pageSize, cursor: event.cursor as string | undefined });
    deps.log.info("inventory.listed", { index: page.index, entries: page.entries.length, itemsRead: page.itemsRead, more: page.cursor !== undefined });
    return page;
  } catch (error) {
    if (!isPkiError(error)) throw error;
    deps.log.info("request.refused", { code: error.code, field: error.field, message: error.message });
    return { error: error.toJSON() };
  }
}

let deps: InventoryDeps | undefined;

/** The Lambda entry point: real clients, built once per container. */
export async function handler(event: unknown): Promise<InventoryResponse> {
  deps ??= {
    inventory: new DynamoInventory(DynamoDBDocumentClient.from(new DynamoDBClient({})), process.env[INVENTORY_ENV.tableName] ?? ""),
    clock: () => new Date(),
    log: jsonLogger(),
  };
  return handle(event, deps);
}

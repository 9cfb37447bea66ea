import { EXPIRY_INDEX_ATTRIBUTES, SERIES_INDEX_ATTRIBUTES, TABLE_LAYOUT } from "../functions/shared/contract";

/** The inventory table's keys, attributes, indexes and TTL, as `aws.dynamodb.Table` takes them. */
export interface InventoryTableShape {
  readonly hashKey: string;
  readonly rangeKey: string;
  readonly attributes: { name: string; type: "S" }[];
  readonly globalSecondaryIndexes: { name: string; hashKey: string; rangeKey: string; projectionType: "ALL" | "INCLUDE"; nonKeyAttributes?: string[] }[];
  readonly ttl: { attributeName: string; enabled: boolean };
}

/**
 * The inventory's shape (pure): `pk`/`sk`; the sparse revoked index (CRLs); the expiry index
 * (partition = notAfter's year, sort = notAfter) that inventory queries and reminders read a
 * time range from instead of scanning; the sparse series index (a stack component's successive
 * certificates) that tells a renewed certificate from one about to lapse; TTL on reminder
 * records. One definition for the component and for the tests that build a table from it.
 */
export function inventoryTableShape(): InventoryTableShape {
  const attributeNames = [TABLE_LAYOUT.partitionKey, TABLE_LAYOUT.sortKey, TABLE_LAYOUT.revokedIndexKey, TABLE_LAYOUT.revokedIndexSortKey, TABLE_LAYOUT.expiryIndexKey, TABLE_LAYOUT.expiryIndexSortKey, TABLE_LAYOUT.seriesIndexKey];
  return {
    hashKey: TABLE_LAYOUT.partitionKey,
    rangeKey: TABLE_LAYOUT.sortKey,
    attributes: [...new Set(attributeNames)].map((name) => ({ name, type: "S" as const })),
    globalSecondaryIndexes: [
      { name: TABLE_LAYOUT.revokedIndex, hashKey: TABLE_LAYOUT.revokedIndexKey, rangeKey: TABLE_LAYOUT.revokedIndexSortKey, projectionType: "ALL" },
      { name: TABLE_LAYOUT.expiryIndex, hashKey: TABLE_LAYOUT.expiryIndexKey, rangeKey: TABLE_LAYOUT.expiryIndexSortKey, projectionType: "INCLUDE", nonKeyAttributes: [...EXPIRY_INDEX_ATTRIBUTES] },
      { name: TABLE_LAYOUT.seriesIndex, hashKey: TABLE_LAYOUT.seriesIndexKey, rangeKey: TABLE_LAYOUT.seriesIndexSortKey, projectionType: "INCLUDE", nonKeyAttributes: [...SERIES_INDEX_ATTRIBUTES] },
    ],
    ttl: { attributeName: TABLE_LAYOUT.ttlAttribute, enabled: true },
  };
}

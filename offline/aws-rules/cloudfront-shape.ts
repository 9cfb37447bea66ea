/**
 * Reading CloudFront distributions the way the pack reads them (policies/rules/rule.ts: origins,
 * behaviours, custom-origin settings, through `Field`), plus what only the AWS rules read: origin
 * ids, custom headers (spelled differently on the two distribution types) and policy item lists.
 */
import type { Field } from "../../policies/normalise";
import { behavioursOf, customConfigOf, DISTRIBUTION_TYPES, isDistribution, Origin, originsOf } from "../../policies/rules/rule";
import { AwsResource, unlessHidden } from "./rule";

export { behavioursOf, customConfigOf, DISTRIBUTION_TYPES, isDistribution, originsOf };
export type { Origin };

const MULTITENANT = "aws:cloudfront/multitenantDistribution:MultitenantDistribution";

/** An origin's id (Distribution: `originId`; MultitenantDistribution: `id`). */
export function originIdOf(distribution: AwsResource, origin: Origin): string | undefined {
  return origin.field.get(distribution.type === MULTITENANT ? "id" : "originId").text();
}

/** A custom origin header: its name, and its value unless the export holds it as a secret. */
export interface CustomHeader {
  readonly name: string;
  readonly value?: string;
}

/** An origin's custom headers (Distribution: `name`/`value`; MultitenantDistribution: `headerName`/`headerValue`). */
export function customHeadersOf(distribution: AwsResource, origin: Origin): CustomHeader[] {
  const [nameKey, valueKey] = distribution.type === MULTITENANT ? ["headerName", "headerValue"] : ["name", "value"];
  return origin.field
    .get("customHeaders")
    .items()
    .map((header) => {
      const name = header.get(nameKey!).text();
      if (name === undefined) throw header.unreadable(`has no ${nameKey}`);
      return { name, value: unlessHidden(header.get(valueKey!), (v) => v.text()) };
    });
}

/** The items of a policy's headers/cookies/query strings list (`{ items: [...] }`). */
export function itemsOf(list: Field): string[] {
  return list.get("items").texts();
}

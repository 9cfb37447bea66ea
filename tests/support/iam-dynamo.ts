import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AwsStub } from "aws-sdk-client-mock";
import type { PolicyStatement } from "../../components/ca-policies";

/** One item-level DynamoDB authorisation: the action IAM checks and the item's partition key. */
export interface ItemRequest {
  readonly action: string;
  readonly partitionKey: string;
}

const asList = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);
/** IAM's StringLike: `*` any run of characters, `?` one character. */
const like = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s").test(value);

/**
 * Whether an identity policy allows `request` on `tableArn`: some Allow statement names the
 * action and the table, and each of its conditions holds for the one leading key of the item
 * (only `dynamodb:LeadingKeys` under ForAllValues:StringEquals / StringLike is understood; any other
 * condition throws, so a policy this cannot judge is never passed). No Deny statements are expected.
 */
export function allows(statements: readonly PolicyStatement[], tableArn: string, request: ItemRequest): boolean {
  return statements.some((s) => {
    if (s.Effect !== "Allow" || !asList(s.Action).includes(request.action) || !asList(s.Resource).includes(tableArn)) return false;
    return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([conditionKey, values]) => {
        if (conditionKey !== "dynamodb:LeadingKeys") throw new Error(`allows: cannot judge condition key ${conditionKey}`);
        const allowed = asList(values as string | readonly string[]).map(String);
        if (operator === "ForAllValues:StringEquals") return allowed.includes(request.partitionKey);
        if (operator === "ForAllValues:StringLike") return allowed.some((p) => like(p, request.partitionKey));
        throw new Error(`allows: cannot judge condition operator ${operator}`);
      }),
    );
  });
}

type Key = { pk?: unknown };
const pk = (item: Key | undefined) => String(item?.pk);

/**
 * Every item-level authorisation the calls sent to a mocked DynamoDB document client needed:
 * GetItem, PutItem and UpdateItem per call, and one per action of a TransactWriteItems, checked as
 * the operation it wraps ("Using IAM with DynamoDB transactions", Amazon DynamoDB Developer Guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function itemRequests(ddb: AwsStub<any, any, any>): ItemRequest[] {
  const requests: ItemRequest[] = [];
  for (const call of ddb.calls()) {
    const command = call.args[0];
    const input = command.input as Record<string, unknown>;
    if (command instanceof GetCommand) requests.push({ action: "dynamodb:GetItem", partitionKey: pk(input.Key as Key) });
    else if (command instanceof PutCommand) requests.push({ action: "dynamodb:PutItem", partitionKey: pk(input.Item as Key) });
    else if (command instanceof UpdateCommand) requests.push({ action: "dynamodb:UpdateItem", partitionKey: pk(input.Key as Key) });
    else if (command instanceof TransactWriteCommand) {
      for (const item of (input.TransactItems ?? []) as { Put?: { Item: Key }; Update?: { Key: Key }; ConditionCheck?: { Key: Key }; Delete?: { Key: Key } }[]) {
        if (item.Put) requests.push({ action: "dynamodb:PutItem", partitionKey: pk(item.Put.Item) });
        if (item.Update) requests.push({ action: "dynamodb:UpdateItem", partitionKey: pk(item.Update.Key) });
        if (item.ConditionCheck) requests.push({ action: "dynamodb:ConditionCheckItem", partitionKey: pk(item.ConditionCheck.Key) });
        if (item.Delete) requests.push({ action: "dynamodb:DeleteItem", partitionKey: pk(item.Delete.Key) });
      }
    } else requests.push({ action: `unjudged:${command.constructor.name}`, partitionKey: "" });
  }
  return requests;
}

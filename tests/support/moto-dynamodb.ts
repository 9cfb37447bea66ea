import { ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inventoryTableShape } from "../../components/inventory-table";
import { tempDir } from "./tools";

// moto's DynamoDB (Python, part of this machine's image) as a local server: an implementation of
// DynamoDB's expressions, conditional writes, indexes, pagination and ScannedCount that nobody
// here wrote, so the inventory queries are not judged only by our own model of DynamoDB.
// Bulk loads go straight into moto's backend in its own process (thousands of items a second).
const SERVER = `
import json, logging, sys, decimal
logging.disable(logging.CRITICAL)
from moto.server import ThreadedMotoServer
from moto.dynamodb.models import dynamodb_backends
from boto3.dynamodb.types import TypeSerializer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(json.dumps({"port": port}), flush=True)
serializer = TypeSerializer()
for line in sys.stdin:
    command = json.loads(line)
    if command["op"] == "load":
        backend = dynamodb_backends[command["account"]][command["region"]]
        count = 0
        with open(command["file"]) as items:
            for raw in items:
                item = json.loads(raw, parse_float=decimal.Decimal)
                backend.put_item(command["table"], {k: serializer.serialize(v) for k, v in item.items()})
                count += 1
        print(json.dumps({"loaded": count}), flush=True)
server.stop()
`;

/** moto's default account, which its backends key on. */
const MOTO_ACCOUNT = "123456789012";
const REGION = "eu-west-2";

/** A running moto DynamoDB: clients pointed at it, the inventory table made from the component's shape, bulk loading. */
export interface MotoDynamo {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Creates `name` with exactly the keys, attributes and indexes `inventoryTableShape()` declares. */
  createInventoryTable(name: string): Promise<void>;
  /** Puts items (plain JSON values) into `table`, through moto's backend. */
  load(table: string, items: readonly Record<string, unknown>[]): Promise<number>;
  stop(): void;
}

/** Starts moto's server on a free loopback port (python3 with moto is needed, as for the EventBridge matcher). */
export async function startMotoDynamo(): Promise<MotoDynamo> {
  const child: ChildProcessWithoutNullStreams = spawn("python3", ["-c", SERVER], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`moto's DynamoDB server stopped (python3 with moto is needed):\n${stderr}`);
    return JSON.parse(line.value);
  };
  const { port } = (await next()) as { port: number };
  const client = new DynamoDBClient({ region: REGION, endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 });
  const work = tempDir("edge-mtls-moto-");
  let loads = 0;
  return {
    client,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    async createInventoryTable(name) {
      const shape = inventoryTableShape();
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: shape.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
          KeySchema: [
            { AttributeName: shape.hashKey, KeyType: "HASH" },
            { AttributeName: shape.rangeKey, KeyType: "RANGE" },
          ],
          GlobalSecondaryIndexes: shape.globalSecondaryIndexes.map((g) => ({
            IndexName: g.name,
            KeySchema: [
              { AttributeName: g.hashKey, KeyType: "HASH" },
              { AttributeName: g.rangeKey, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: g.projectionType, ...(g.nonKeyAttributes ? { NonKeyAttributes: g.nonKeyAttributes } : {}) },
          })),
        }),
      );
    },
    async load(table, items) {
      const file = join(work.dir, `load-${++loads}.jsonl`);
      writeFileSync(file, items.map((item) => JSON.stringify(item)).join("\n") + "\n");
      child.stdin.write(JSON.stringify({ op: "load", account: MOTO_ACCOUNT, region: REGION, table, file }) + "\n");
      return ((await next()) as { loaded: number }).loaded;
    },
    stop() {
      client.destroy();
      child.stdin.end();
      child.kill();
      work.cleanup();
    },
  };
}

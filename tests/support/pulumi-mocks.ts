import * as pulumi from "@pulumi/pulumi";
import { handle as caAdmin } from "../../functions/ca-admin";
import { fakeCaWorld } from "./ca-deps";

/** A resource the mocks saw, with its resolved inputs. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly provider?: string;
}

export const ACCOUNT_ID = "111111111111";
export const REGION = "eu-west-2";

/** Every resource registered since the last {@link resetRecorded}. */
export const recorded: RecordedResource[] = [];
let pending = 0;
let installed = false;

export function resetRecorded(): void {
  recorded.length = 0;
}

function arnFor(type: string, name: string, inputs: Record<string, any>): string {
  const [, module, kind] = type.match(/^aws:([^/]+)\/([^:]+):/) ?? [];
  switch (type) {
    case "aws:kms/key:Key":
      return `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${name}-id`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;
    case "aws:s3/bucket:Bucket":
      return `arn:aws:s3:::${name}`;
    case "aws:dynamodb/table:Table":
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${name}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${inputs.name ?? name}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${inputs.name ?? name}`;
    default:
      return `arn:aws:${module}:${REGION}:${ACCOUNT_ID}:${kind}/${name}`;
  }
}

/**
 * The mocked aws.lambda.Invocation of ca-admin runs the real handler, configured with the
 * environment the component gave the function, over in-memory KMS, DynamoDB and S3: the stack's
 * outputs are then real certificates, and a component that sets a bad environment fails here.
 */
async function invoke(inputs: Record<string, any>): Promise<string> {
  const fn = recorded.find((r) => r.type === "aws:lambda/function:Function" && r.inputs.name === inputs.functionName);
  if (!fn) throw new Error(`mock: no function ${inputs.functionName} to invoke`);
  const world = fakeCaWorld(fn.inputs.environment.variables);
  try {
    return JSON.stringify(await caAdmin(JSON.parse(inputs.input), world.admin()));
  } finally {
    world.cleanup();
  }
}

/**
 * Installs the one set of Pulumi mocks all tests share (each setMocks call replaces the previous
 * one). `config` becomes the stack's configuration (`edge-mtls:role`, …; objects as JSON).
 */
export function installMocks(config: Record<string, string>, stack = "ca-dev"): void {
  pulumi.runtime.setAllConfig(config);
  if (installed) return;
  installed = true;
  void pulumi.runtime.setMocks(
    {
      newResource: async (args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> => {
        pending++;
        try {
          recorded.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
          const state: Record<string, any> = { ...args.inputs, arn: arnFor(args.type, args.name, args.inputs) };
          if (args.type === "aws:s3/bucket:Bucket") state.bucket = args.inputs.bucket ?? `${args.name}-bucket`;
          if (args.type === "aws:kms/key:Key") state.keyId = `${args.name}-id`;
          if (args.type === "aws:lambda/invocation:Invocation") state.result = await invoke(args.inputs);
          state.name = args.inputs.name ?? args.name;
          return { id: `${args.name}_id`, state };
        } finally {
          pending--;
        }
      },
      call: (args: pulumi.runtime.MockCallArgs): Record<string, any> => {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`, userId: "AIDEXAMPLE" };
          case "aws:index/getRegion:getRegion":
            return { region: REGION, name: REGION, description: "Europe (London)", endpoint: `ec2.${REGION}.amazonaws.com` };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
          default:
            throw new Error(`mock: unexpected invoke ${args.token}`);
        }
      },
    },
    "edge-mtls",
    stack,
    false,
  );
}

/** Resolves an Output (through `apply`, not the internal promise). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Waits until no resource registration is in flight. */
export async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    quiet = pending === 0 ? quiet + 1 : 0;
  }
}

/** The recorded resources of a type. */
export function ofType(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}

/** The one recorded cloud resource (not one of our components) with this logical name. */
export function named(name: string): RecordedResource {
  const found = recorded.filter((r) => r.name === name && !r.type.startsWith("edge-mtls:"));
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}: ${recorded.map((r) => r.name).join(", ")}`);
  return found[0]!;
}

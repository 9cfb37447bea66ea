import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { handle as caAdmin } from "../functions/ca-admin";
import { handle as caIssuer } from "../functions/ca-issuer";
import type { CaDeps } from "../functions/shared/ca-service";
import { createCsr } from "../pki/csr";
import { refuseAtRegistration } from "./aws-rules/enforce";
import { memoryCaDeps } from "./memory-ca";

/**
 * Pulumi mocks for running the stack programs offline (tests and the policy checker): every
 * resource is recorded with its resolved inputs and mocked outputs; provider-computed attributes
 * the programs read are made realistic (real keys and CSRs for @pulumi/tls); the CA functions'
 * invocations run the real ca-admin / ca-issuer handlers on in-memory stores.
 */

/** A resource the mocks saw, with its resolved inputs and its (mocked) outputs. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn?: string;
  readonly inputs: Record<string, any>;
  /** The inputs with every secret value replaced by "[secret]", for showing to people. */
  readonly maskedInputs?: Record<string, any>;
  readonly outputs?: Record<string, any>;
  readonly provider?: string;
  /** The resource option `ignoreChanges`, as registered (the mocks' newResource does not see options). */
  readonly ignoreChanges?: string[];
  /** The resource option `replaceOnChanges`, as registered. */
  readonly replaceOnChanges?: string[];
}

export const ACCOUNT_ID = "111111111111";
export const REGION = "eu-west-2";
/** The Pulumi organization and project the mocks run programs in. */
export const ORGANIZATION = "organization";
export const PROJECT = "edge-mtls";

/** Every resource registered since the last {@link resetRecorded}. */
export const recorded: RecordedResource[] = [];
let pending = 0;
/** The stack the mocks were last installed for (a new stack name needs a new setMocks call). */
let installedStack: string | undefined;

/** A bootstrapped CA that stands for the CA stack: its outputs, and the deps its ca-issuer runs with. */
export interface MockCa {
  readonly outputs: Record<string, unknown>;
  readonly issuerDeps: CaDeps;
}
let currentCa: MockCa | undefined;

/** Makes `ca` the CA stack the workload program references and invokes. */
export function useCa(ca: MockCa | undefined): void {
  currentCa = ca;
}

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
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/${inputs.name ?? name}`;
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
  const event = JSON.parse(inputs.input);
  if (event.action === "issue") {
    // The workload stack's cross-account call to the CA stack's ca-issuer.
    if (!currentCa) throw new Error("mock: no CA stack to invoke (useCa)");
    if (inputs.functionName !== currentCa.outputs.issuerFunctionArn) throw new Error(`mock: unexpected issuer ${inputs.functionName}`);
    return JSON.stringify(await caIssuer(event, currentCa.issuerDeps, "mock-invocation"));
  }
  const fn = recorded.find((r) => r.type === "aws:lambda/function:Function" && r.inputs.name === inputs.functionName);
  if (!fn) throw new Error(`mock: no function ${inputs.functionName} to invoke`);
  return JSON.stringify(await caAdmin(event, memoryCaDeps(fn.inputs.environment.variables).admin));
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Inputs with Pulumi's secret wrappers replaced by their values (mocks see the wire form). */
function unwrapSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  // Assets and archives (a Lambda's code, an uploaded file) stay as they are: their contents are promises.
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return value;
  if (value && typeof value === "object") {
    if (value["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Inputs with every secret value replaced by "[secret]". */
function maskSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    if (value["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

/**
 * Outputs of @pulumi/tls resources by name and inputs: a key or CSR whose inputs did not change
 * keeps its generated value from one program run to the next, as Pulumi state does (a second run
 * of a program must not see new keys where `pulumi up` would keep the old ones).
 */
const generated = new Map<string, Record<string, any>>();

/** Provider-computed attributes the programs read, made realistic (real keys and CSRs for @pulumi/tls). */
async function extraState(args: pulumi.runtime.MockResourceArgs): Promise<Record<string, any>> {
  if (!args.type.startsWith("tls:")) return computedState(args);
  const stateKey = JSON.stringify([pulumi.getStack(), args.type, args.name, args.inputs]);
  const kept = generated.get(stateKey) ?? (await computedState(args));
  generated.set(stateKey, kept);
  return kept;
}

async function computedState(args: pulumi.runtime.MockResourceArgs): Promise<Record<string, any>> {
  const usEast1 = (args.provider ?? "").includes("us-east-1");
  switch (args.type) {
    case "pulumi:pulumi:StackReference":
      if (!currentCa) throw new Error("mock: no CA stack to reference (useCa)");
      return { outputs: currentCa.outputs, secretOutputNames: [] };
    case "tls:index/privateKey:PrivateKey": {
      const { privateKey } = args.inputs.algorithm === "RSA" ? generateKeyPairSync("rsa", { modulusLength: args.inputs.rsaBits }) : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      return { privateKeyPem: privateKey.export({ format: "pem", type: args.inputs.algorithm === "RSA" ? "pkcs1" : "sec1" }), publicKeyPem: createPublicKey(privateKey).export({ format: "pem", type: "spki" }) };
    }
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: createCsr(createPrivateKey(args.inputs.privateKeyPem), { commonName: args.inputs.subject?.commonName, organizationalUnit: args.inputs.subject?.organizationalUnit }) };
    case "aws:s3/bucketObjectv2:BucketObjectv2":
      return { versionId: `${args.name}-version-1` };
    case "aws:s3/bucket:Bucket":
      return { bucketRegionalDomainName: `${args.name}-bucket.s3.${REGION}.amazonaws.com` };
    case "aws:apigateway/restApi:RestApi":
      return { rootResourceId: "root0", executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${args.name}-id` };
    case "aws:apigateway/domainName:DomainName":
      return { regionalDomainName: `d-${args.name}.execute-api.${REGION}.amazonaws.com`, regionalZoneId: "ZJ5UAJN8Y3Z2Q" };
    case "aws:lambda/function:Function":
      return { invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arnFor(args.type, args.name, args.inputs)}/invocations` };
    case "aws:cloudfront/distribution:Distribution":
      return { arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${args.name}-id`, domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2", etag: "E2QWRUHEXAMPLE" };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:${usEast1 ? "us-east-1" : REGION}:${ACCOUNT_ID}:certificate/${args.name}-id`,
        domainValidationOptions: args.inputs.validationMethod === "DNS" ? [{ domainName: args.inputs.domainName, resourceRecordName: `_x1.${args.inputs.domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: `_y1.acm-validations.aws.` }] : [],
      };
    case "aws:acm/certificateValidation:CertificateValidation":
      return { certificateArn: args.inputs.certificateArn };
    case "aws:route53/record:Record":
      return { fqdn: args.inputs.name };
    case "aws:cloudfront/keyValueStore:KeyValueStore":
      return { arn: `arn:aws:cloudfront::${ACCOUNT_ID}:key-value-store/${args.name}-id` };
    default:
      return {};
  }
}

/**
 * Installs the one set of Pulumi mocks all tests share (each setMocks call replaces the previous
 * one). `config` becomes the stack's configuration (`edge-mtls:role`, …; objects as JSON).
 */
export function installMocks(config: Record<string, string>, stack = "ca-dev", secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(config, secretKeys);
  if (installedStack === stack) return;
  installedStack = stack;
  void pulumi.runtime.setMocks(
    {
      newResource: async (wire: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> => {
        pending++;
        const args = { ...wire, inputs: unwrapSecrets(wire.inputs) };
        const { ignoreChanges, replaceOnChanges } = registeringOptions;
        try {
          const entry = { type: args.type, name: args.name, inputs: args.inputs, maskedInputs: maskSecrets(wire.inputs), provider: args.provider, outputs: {} as Record<string, any>, ...(ignoreChanges.length ? { ignoreChanges } : {}), ...(replaceOnChanges.length ? { replaceOnChanges } : {}) };
          // AWS's control-plane rules (offline/aws-rules): refuse what the provider's create call would.
          refuseAtRegistration(entry, recorded);
          recorded.push(entry);
          const state: Record<string, any> = { ...args.inputs, arn: arnFor(args.type, args.name, args.inputs) };
          if (args.type === "aws:s3/bucket:Bucket") state.bucket = args.inputs.bucket ?? `${args.name}-bucket`;
          if (args.type === "aws:kms/key:Key") state.keyId = `${args.name}-id`;
          if (args.type === "aws:lambda/invocation:Invocation") state.result = await invoke(args.inputs);
          Object.assign(state, await extraState(args));
          state.name = args.inputs.name ?? args.name;
          entry.outputs = { ...state, id: `${args.name}_id` };
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
    PROJECT,
    stack,
    false,
    ORGANIZATION,
  );
  // newResource is not given resource options: read ignoreChanges and replaceOnChanges off the
  // request it is called for (synchronously, before newResource's first await).
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: { getIgnorechangesList(): string[]; getReplaceonchangesList(): string[] }, callback: unknown): unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    registeringOptions = { ignoreChanges: req.getIgnorechangesList(), replaceOnChanges: req.getReplaceonchangesList() };
    return register(req, callback);
  };
}

let registeringOptions: { ignoreChanges: string[]; replaceOnChanges: string[] } = { ignoreChanges: [], replaceOnChanges: [] };

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

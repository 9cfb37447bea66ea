import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement, serviceAssumeRolePolicy } from "./ca-policies";
import { bundleFunction } from "./lambda-bundle";

/** Arguments of {@link BundledFunction}. */
export interface BundledFunctionArgs {
  /** The folder under `functions/` whose index.ts is bundled. */
  readonly source: string;
  /** The Lambda function name (also names its log group). */
  readonly functionName: string;
  readonly description: string;
  /** Environment variables. */
  readonly environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What the function may do besides writing its own logs; default nothing. */
  readonly statements?: pulumi.Input<PolicyStatement[]>;
  /** Memory in MB; default 256. */
  readonly memorySize?: number;
  /** Timeout in seconds; default 10. */
  readonly timeout?: number;
  /** Log retention in days; default 365. */
  readonly logRetentionDays?: number;
  /**
   * A role made beforehand, for callers that must name the role before the function's policy can
   * exist (the CA's key policies name the roles; the roles' policies name the keys). Default: a
   * new role trusting only Lambda.
   */
  readonly role?: aws.iam.Role;
}

/**
 * One Lambda function from `functions/<source>`, bundled by esbuild, on Node.js 22 arm64, with its
 * own role (trusting only Lambda), its own log group, and an inline policy of exactly its log
 * stream writes plus the statements given.
 */
export class BundledFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly rolePolicy: aws.iam.RolePolicy;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly arn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  /** SHA-256 of the bundled code: what changes when the function's behaviour can change. */
  public readonly codeSha256: string;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:index:BundledFunction", name, {}, opts);
    const parent = { parent: this };
    this.role = args.role ?? lambdaRole(`${name}-role`, args.functionName, this);
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays ?? 365 }, parent);
    const policy = pulumi.all([this.logGroup.arn, args.statements ?? []]).apply(([logGroupArn, statements]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` }, ...statements],
      }),
    );
    this.rolePolicy = new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy }, parent);
    const bundle = bundleFunction(args.source);
    this.codeSha256 = bundle.sha256;
    this.function = new aws.lambda.Function(
      name,
      {
        name: args.functionName,
        description: args.description,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        sourceCodeHash: bundle.sha256,
        role: this.role.arn,
        memorySize: args.memorySize ?? 256,
        timeout: args.timeout ?? 10,
        environment: args.environment ? { variables: args.environment } : undefined,
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      },
      { parent: this, dependsOn: [this.logGroup, this.rolePolicy] },
    );
    this.arn = this.function.arn;
    this.functionName = this.function.name;
    this.roleArn = this.role.arn;
    this.registerOutputs({ arn: this.arn, functionName: this.functionName, roleArn: this.roleArn });
  }
}

/**
 * A role only Lambda can assume, for the function `functionName`. With `roleName` the role gets
 * that exact name (IAM: at most 64 characters), for roles another account's policy must name;
 * otherwise Pulumi names it.
 */
export function lambdaRole(name: string, functionName: string, parent: pulumi.Resource, roleName?: string): aws.iam.Role {
  return new aws.iam.Role(name, { name: roleName, assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("lambda.amazonaws.com")), description: `Execution role of ${functionName}` }, { parent });
}

/** An alarm on a function's Errors (faults, not refused requests): any error within `periodSeconds`. */
export function functionErrorAlarm(
  name: string,
  parent: pulumi.Resource,
  args: { functionName: pulumi.Input<string>; description: string; periodSeconds: number; alarmActions?: pulumi.Input<string>[] },
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: args.functionName },
      statistic: "Sum",
      period: args.periodSeconds,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: args.alarmActions ?? [],
    },
    { parent },
  );
}

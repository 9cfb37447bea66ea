import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_CERTIFICATE_METRIC, RENEWER_ENV } from "../functions/shared/contract";
import { caFingerprints } from "../pki/origin-client-certificate";
import { BundledFunction, functionErrorAlarm, lambdaRole } from "./bundled-function";
import type { PolicyStatement } from "./ca-policies";
import { scheduleInvocations } from "./schedules";

/** Arguments of {@link OriginCertificateRenewer}. */
export interface OriginCertificateRenewerArgs {
  /** Environment name: the function and its role are `edge-mtls-<env>-origin-cert-renewer`. */
  readonly environment: string;
  /** The ACM certificate (us-east-1) CloudFront presents to the origin: the one certificate it may re-import. */
  readonly certificateArn: pulumi.Input<string>;
  /** The CA stack's ca-issuer: the one function it may invoke. */
  readonly issuerFunctionArn: pulumi.Input<string>;
  /** The CA's trust bundle: new certificates must chain to exactly these certificates. */
  readonly trustBundlePem: pulumi.Input<string>;
  /** Subject of the renewed certificates (the authorizer's allow-list must match). */
  readonly commonName: string;
  readonly organizationalUnit: string;
  /** Lifetime of each renewed certificate in days. */
  readonly lifetimeDays: number;
  /** Renew when fewer than this many days remain. */
  readonly renewBeforeDays: number;
  /** Alarm when fewer than this many days remain; default half of renewBeforeDays (at least 1). */
  readonly alarmBelowDays?: number;
  /** EventBridge Scheduler expression; default `rate(12 hours)`. */
  readonly schedule?: string;
  /** The name of the component that first imported the certificate: the idempotency keys' series. */
  readonly idempotencyComponent: string;
  /** Run the how-to's checks against these URLs after each renewal; default: not. */
  readonly smokeTest?: { readonly edgeUrl: string; readonly apiUrl: string };
  /** SNS topic for the alarms; default none (they still show in CloudWatch). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** CloudWatch Logs retention in days; default 365. */
  readonly logRetentionDays?: number;
}

/**
 * What the renewal function may do besides writing its own logs: read and re-import exactly the
 * origin certificate (acm:GetCertificate and acm:ImportCertificate both take the certificate ARN
 * as their resource) and invoke exactly the CA's ca-issuer. No acm:* on other certificates, no
 * DeleteCertificate, no tagging (tags cannot be applied on re-import anyway).
 */
export function renewerStatements(certificateArn: string, issuerFunctionArn: string): PolicyStatement[] {
  return [
    { Sid: "ReimportOriginCertificate", Effect: "Allow", Action: ["acm:GetCertificate", "acm:ImportCertificate"], Resource: certificateArn },
    { Sid: "InvokeCaIssuer", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: issuerFunctionArn },
  ];
}

/**
 * The origin certificate's own renewal: the origin-cert-renewer function on a schedule (every 12
 * hours by default), which publishes the certificate's days until expiry and re-imports a new
 * certificate from the CA under the same ACM ARN when renewBeforeDays remain, without a deploy.
 * Alarms: any failed run (Lambda Errors), and days until expiry below alarmBelowDays — missing
 * data counts as breaching, so a renewer that stopped running is reported too. A failed run is
 * not retried at once (the next scheduled run retries), so a persistent refusal does not mint a
 * certificate a minute.
 */
export class OriginCertificateRenewer extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  /** The role ca-issuer's resource policy must allow when the CA lists role ARNs (edge-mtls:workloadPrincipals). */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: OriginCertificateRenewerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:OriginCertificateRenewer", name, {}, opts);
    const parent = { parent: this };
    const functionName = `edge-mtls-${args.environment}-origin-cert-renewer`;
    if (!(args.renewBeforeDays >= 1 && args.renewBeforeDays < args.lifetimeDays)) throw new Error(`renewBeforeDays must be at least 1 and less than lifetimeDays (${args.lifetimeDays}); got ${args.renewBeforeDays}`);
    const alarmBelowDays = args.alarmBelowDays ?? Math.max(1, Math.floor(args.renewBeforeDays / 2));
    // A named role, so a CA that lists role ARNs can name it; IAM role names are at most 64 characters.
    const role = lambdaRole(`${name}-role`, functionName, this, functionName);
    const environment: Record<string, pulumi.Input<string>> = {
      [RENEWER_ENV.certificateArn]: args.certificateArn,
      [RENEWER_ENV.issuerFunction]: args.issuerFunctionArn,
      [RENEWER_ENV.trustedCaSha256]: pulumi.output(args.trustBundlePem).apply((pem) => caFingerprints(pem).join(",")),
      [RENEWER_ENV.lifetimeDays]: String(args.lifetimeDays),
      [RENEWER_ENV.renewBeforeDays]: String(args.renewBeforeDays),
      [RENEWER_ENV.subject]: JSON.stringify({ commonName: args.commonName, organizationalUnit: args.organizationalUnit }),
      [RENEWER_ENV.idempotencyScope]: JSON.stringify({ project: pulumi.getProject(), stack: pulumi.getStack(), component: args.idempotencyComponent }),
      [RENEWER_ENV.metricDimension]: args.environment,
      ...(args.smokeTest ? { [RENEWER_ENV.edgeUrl]: args.smokeTest.edgeUrl, [RENEWER_ENV.apiUrl]: args.smokeTest.apiUrl } : {}),
    };
    const renewer = new BundledFunction(
      name,
      {
        source: "origin-cert-renewer",
        functionName,
        description: "edge-mtls: renew and re-import the CloudFront origin client certificate before it expires",
        environment,
        statements: pulumi.all([args.certificateArn, args.issuerFunctionArn]).apply(([certificateArn, issuerArn]) => renewerStatements(certificateArn, issuerArn)),
        memorySize: 256,
        // A cross-account ca-issuer call, an ACM import and, with checks, a few HTTPS round trips.
        timeout: 120,
        logRetentionDays: args.logRetentionDays,
        role,
      },
      parent,
    );
    new aws.lambda.FunctionEventInvokeConfig(`${name}-async`, { functionName: renewer.functionName, maximumRetryAttempts: 0 }, parent);
    scheduleInvocations(name, this, [{ key: "renewal", functionArn: renewer.arn, expression: args.schedule ?? "rate(12 hours)", input: "{}" }]);

    const alarmActions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    functionErrorAlarm(`${name}-errors`, this, { functionName: renewer.functionName, description: `${functionName} failed: the origin certificate was not renewed (see its log; the current certificate stays in place)`, periodSeconds: 3600, alarmActions });
    new aws.cloudwatch.MetricAlarm(
      `${name}-expiry`,
      {
        alarmDescription: `The CloudFront origin client certificate expires in less than ${alarmBelowDays} days, or ${functionName} stopped reporting: /api requests fail at the origin handshake once it expires`,
        namespace: ORIGIN_CERTIFICATE_METRIC.namespace,
        metricName: ORIGIN_CERTIFICATE_METRIC.name,
        dimensions: { [ORIGIN_CERTIFICATE_METRIC.dimension]: args.environment },
        statistic: "Minimum",
        // One day: PutMetricAlarm allows period × evaluationPeriods up to 7 days for periods of an hour or more.
        period: 86400,
        evaluationPeriods: 1,
        threshold: alarmBelowDays,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions,
      },
      parent,
    );
    this.functionName = renewer.functionName;
    this.functionArn = renewer.arn;
    this.roleArn = role.arn;
    this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, roleArn: this.roleArn });
  }
}

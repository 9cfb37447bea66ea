import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AUTHORIZER_ENV } from "../functions/shared/contract";
import { BundledFunction } from "./bundled-function";
import { accessLogFormat } from "./edge-rules";
import { serviceAssumeRolePolicy } from "./ca-policies";

/** Arguments of {@link MtlsApi}. */
export interface MtlsApiArgs {
  /** Environment name for resource names. */
  readonly environment: string;
  /** The API's custom domain, e.g. api.example.com. */
  readonly domainName: pulumi.Input<string>;
  /** A publicly trusted regional ACM certificate for the domain (CloudFront checks the origin's certificate). */
  readonly certificateArn: pulumi.Input<string>;
  /** An ACM-issued certificate proving domain ownership; needed when `certificateArn` is imported or private. */
  readonly ownershipVerificationCertificateArn?: pulumi.Input<string>;
  /** `s3://bucket/key` of the truststore and its object version. */
  readonly truststoreUri: pulumi.Input<string>;
  readonly truststoreVersion: pulumi.Input<string>;
  /** The (CN, OU) pairs the authorizer allows; default CloudFront/CloudFront. */
  readonly allowedSubjects?: readonly { commonName: string; organizationalUnit: string }[];
  /** Name of the header CloudFront adds to prove itself. */
  readonly secretHeaderName: string;
  /** Its accepted values (current, and previous while rotating), as a secret. */
  readonly secretValues: pulumi.Input<string[]>;
  /** Where the CA's CRL is (cross-account bucket and key) and the issuing CA that signs it. */
  readonly crlBucket: pulumi.Input<string>;
  readonly crlKey: string;
  readonly issuingCaPem: pulumi.Input<string>;
  /** Stage throttling; defaults 100 requests/s, burst 200. */
  readonly throttling?: { rateLimit: number; burstLimit: number };
  /** Log retention in days; default 365. */
  readonly logRetentionDays?: number;
  /** Set the account's API Gateway CloudWatch role (needed once per account and region for access logs); default true. */
  readonly manageAccountLogRole?: boolean;
}

/**
 * The origin API: a regional REST API whose execute-api endpoint is disabled, reachable only
 * through a regional custom domain with mutual TLS (truststore in S3, TLS 1.2); a Lambda REQUEST
 * authorizer on every method (no result caching: each request is judged); `POST /api` and
 * `/api/{proxy+}` to the backend; a stage with JSON access logs carrying the client-certificate
 * fields, and throttling.
 */
export class MtlsApi extends pulumi.ComponentResource {
  public readonly restApiId: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly regionalDomainName: pulumi.Output<string>;
  public readonly regionalZoneId: pulumi.Output<string>;
  public readonly accessLogGroupName: pulumi.Output<string>;
  public readonly authorizerCodeHash: string;

  constructor(name: string, args: MtlsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:MtlsApi", name, {}, opts);
    const parent = { parent: this };
    const prefix = `edge-mtls-${args.environment}`;
    const crlObjectArn = pulumi.interpolate`arn:aws:s3:::${args.crlBucket}/${args.crlKey}`;

    const authorizer = new BundledFunction(
      `${name}-authorizer`,
      {
        source: "api-authorizer",
        functionName: `${prefix}-api-authorizer`,
        description: "edge-mtls: admits only CloudFront's origin certificate with the secret header, not revoked",
        environment: {
          [AUTHORIZER_ENV.allowedSubjects]: JSON.stringify(args.allowedSubjects ?? [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }]),
          [AUTHORIZER_ENV.secretHeaderName]: args.secretHeaderName,
          [AUTHORIZER_ENV.secretValues]: pulumi.secret(pulumi.output(args.secretValues).apply((v) => JSON.stringify(v))),
          [AUTHORIZER_ENV.crlBucket]: args.crlBucket,
          [AUTHORIZER_ENV.crlKey]: args.crlKey,
          [AUTHORIZER_ENV.issuingCaPem]: args.issuingCaPem,
          [AUTHORIZER_ENV.crlCacheSeconds]: "300",
        },
        statements: crlObjectArn.apply((arn) => [{ Sid: "ReadCaCrl", Effect: "Allow" as const, Action: "s3:GetObject", Resource: arn }]),
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );
    this.authorizerCodeHash = authorizer.codeSha256;
    const backend = new BundledFunction(
      `${name}-backend`,
      { source: "api-backend", functionName: `${prefix}-api-backend`, description: "edge-mtls: the API behind CloudFront", logRetentionDays: args.logRetentionDays },
      parent,
    );

    const api = new aws.apigateway.RestApi(`${name}-rest`, { name: `${prefix}-api`, endpointConfiguration: { types: "REGIONAL" }, disableExecuteApiEndpoint: true, description: "edge-mtls origin API: custom domain with mTLS only" }, parent);
    const apiResource = new aws.apigateway.Resource(`${name}-api`, { restApi: api.id, parentId: api.rootResourceId, pathPart: "api" }, parent);
    const proxyResource = new aws.apigateway.Resource(`${name}-api-proxy`, { restApi: api.id, parentId: apiResource.id, pathPart: "{proxy+}" }, parent);
    const requestAuthorizer = new aws.apigateway.Authorizer(
      `${name}-request-authorizer`,
      {
        restApi: api.id,
        name: "cloudfront-origin",
        type: "REQUEST",
        authorizerUri: authorizer.function.invokeArn,
        authorizerResultTtlInSeconds: 0,
        // API Gateway answers 401 without calling the authorizer when an identity source is missing;
        // the provider's default (Authorization) never comes through CloudFront, the secret header always does.
        identitySource: `method.request.header.${args.secretHeaderName}`,
      },
      parent,
    );
    new aws.lambda.Permission(`${name}-authorizer-invoke`, { action: "lambda:InvokeFunction", function: authorizer.functionName, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${requestAuthorizer.id}` }, parent);
    new aws.lambda.Permission(`${name}-backend-invoke`, { action: "lambda:InvokeFunction", function: backend.functionName, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/*/*/api*` }, parent);
    const routes: { key: string; resource: aws.apigateway.Resource; method: string }[] = [
      { key: "api-post", resource: apiResource, method: "POST" },
      { key: "api-proxy", resource: proxyResource, method: "ANY" },
    ];
    const integrations = routes.map((route) => {
      const method = new aws.apigateway.Method(`${name}-${route.key}`, { restApi: api.id, resourceId: route.resource.id, httpMethod: route.method, authorization: "CUSTOM", authorizerId: requestAuthorizer.id }, parent);
      return new aws.apigateway.Integration(
        `${name}-${route.key}-integration`,
        { restApi: api.id, resourceId: route.resource.id, httpMethod: method.httpMethod, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: backend.function.invokeArn },
        parent,
      );
    });
    // Redeploy when the API's shape changes.
    const deployment = new aws.apigateway.Deployment(
      `${name}-deployment`,
      { restApi: api.id, triggers: { shape: createHash("sha256").update(JSON.stringify(routes.map((r) => [r.key, r.method]))).digest("hex") }, description: "edge-mtls" },
      { parent: this, dependsOn: integrations },
    );
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { name: `/aws/apigateway/${prefix}-api-access`, retentionInDays: args.logRetentionDays ?? 365 }, parent);
    let account: aws.apigateway.Account | undefined;
    if (args.manageAccountLogRole ?? true) {
      const logRole = new aws.iam.Role(`${name}-apigateway-logs-role`, { assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("apigateway.amazonaws.com")) }, parent);
      new aws.iam.RolePolicyAttachment(`${name}-apigateway-logs-policy`, { role: logRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" }, parent);
      account = new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: logRole.arn }, parent);
    }
    const stage = new aws.apigateway.Stage(
      `${name}-stage`,
      { restApi: api.id, deployment: deployment.id, stageName: "prod", accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() } },
      { parent: this, dependsOn: account ? [account] : [] },
    );
    new aws.apigateway.MethodSettings(
      `${name}-throttling`,
      { restApi: api.id, stageName: stage.stageName, methodPath: "*/*", settings: { throttlingRateLimit: args.throttling?.rateLimit ?? 100, throttlingBurstLimit: args.throttling?.burstLimit ?? 200, metricsEnabled: true } },
      parent,
    );
    const domain = new aws.apigateway.DomainName(
      `${name}-domain`,
      {
        domainName: args.domainName,
        regionalCertificateArn: args.certificateArn,
        endpointConfiguration: { types: "REGIONAL" },
        securityPolicy: "TLS_1_2",
        mutualTlsAuthentication: { truststoreUri: args.truststoreUri, truststoreVersion: args.truststoreVersion },
        ownershipVerificationCertificateArn: args.ownershipVerificationCertificateArn,
      },
      parent,
    );
    new aws.apigateway.BasePathMapping(`${name}-mapping`, { restApi: api.id, stageName: stage.stageName, domainName: domain.domainName }, parent);

    this.restApiId = api.id;
    this.domainName = domain.domainName;
    this.regionalDomainName = domain.regionalDomainName;
    this.regionalZoneId = domain.regionalZoneId;
    this.accessLogGroupName = accessLogs.name;
    this.registerOutputs({ restApiId: this.restApiId, domainName: this.domainName, regionalDomainName: this.regionalDomainName, accessLogGroupName: this.accessLogGroupName });
  }
}

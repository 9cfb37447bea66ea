import type { Source } from "./rule";

/** The AWS (and provider) pages the catalogue's facts come from. */
const page = (title: string, url: string): Source => ({ title, url });

export const SOURCES = {
  cfCustomHeaders: page("Amazon CloudFront Developer Guide: Add custom headers to origin requests", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html"),
  cfQuotas: page("Amazon CloudFront Developer Guide: Quotas", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"),
  cfOriginRequestPolicyApi: page("Amazon CloudFront API Reference: CreateOriginRequestPolicy", "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateOriginRequestPolicy.html"),
  cfViewerMtls: page("Amazon CloudFront Developer Guide: Mutual TLS authentication with CloudFront (Viewer mTLS)", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/mtls-authentication.html"),
  cfTrustStores: page("Amazon CloudFront Developer Guide: Trust stores and certificate management", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/trust-stores-certificate-management.html"),
  cfOriginMtls: page("Amazon CloudFront Developer Guide: Enable mutual TLS (origin) for CloudFront distributions", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-enable-mtls-distributions.html"),
  cfOriginMtlsAcm: page("Amazon CloudFront Developer Guide: Certificate management with AWS Certificate Manager (mutual TLS origin)", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-certificate-management-certificate-manager.html"),
  cfConnectionFunctions: page("Amazon CloudFront Developer Guide: Quotas on Connection Functions", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-connection-functions"),
  cfKeyValueStore: page("Amazon CloudFront Developer Guide: Quotas on key value stores", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-keyvaluestores"),
  cfHttps: page("Amazon CloudFront Developer Guide: Requirements for using SSL/TLS certificates with CloudFront", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html"),
  apigwMtls: page("Amazon API Gateway Developer Guide: How to turn on mutual TLS authentication for your REST APIs", "https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html"),
  apigwMtlsApi: page("Amazon API Gateway API Reference: MutualTlsAuthentication", "https://docs.aws.amazon.com/apigateway/latest/api/API_MutualTlsAuthentication.html"),
  apigwAuthorizer: page("Amazon API Gateway API Reference: CreateAuthorizer (identitySource)", "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html"),
  apigw401: page("AWS re:Post Knowledge Center: Why do I get API Gateway 401 Unauthorized errors after I create a Lambda authorizer?", "https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer"),
  lambdaQuotas: page("AWS Lambda Developer Guide: Lambda quotas", "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
  lambdaCreateFunction: page("AWS Lambda API Reference: CreateFunction (FunctionName)", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"),
  lambdaEnv: page("AWS Lambda Developer Guide: Working with Lambda environment variables (reserved variables)", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"),
  iamQuotas: page("AWS IAM User Guide: IAM and AWS STS quotas, name requirements, and character limits", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"),
  s3BucketNaming: page("Amazon S3 User Guide: General purpose bucket naming rules", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
  kmsAlias: page("AWS KMS API Reference: CreateAlias (AliasName)", "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"),
  logsCreateLogGroup: page("Amazon CloudWatch Logs API Reference: CreateLogGroup (logGroupName)", "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"),
  logsRetention: page("Amazon CloudWatch Logs API Reference: PutRetentionPolicy (retentionInDays)", "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"),
  cwPutMetricAlarm: page("Amazon CloudWatch API Reference: PutMetricAlarm (AlarmName, Period)", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
  schedulerCreate: page("Amazon EventBridge Scheduler API Reference: CreateSchedule (Name)", "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html"),
  acmImport: page("AWS Certificate Manager User Guide: Prerequisites for importing certificates", "https://docs.aws.amazon.com/acm/latest/userguide/import-certificate-prerequisites.html"),
  acmImportApi: page("AWS Certificate Manager API Reference: ImportCertificate", "https://docs.aws.amazon.com/acm/latest/APIReference/API_ImportCertificate.html"),
  dynamodbNaming: page("Amazon DynamoDB Developer Guide: Supported data types and naming rules", "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"),
  tfKeyValueStore: page("Terraform AWS provider source: internal/service/cloudfront/key_value_store.go (name validator)", "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/cloudfront/key_value_store.go"),
  tfAuthorizer: page("Terraform AWS provider docs: aws_api_gateway_authorizer (identity_source default)", "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_authorizer"),
  tfIamRole: page("Terraform AWS provider docs: aws_iam_role (name, name_prefix)", "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role"),
  pulumiAutonaming: page("Pulumi docs: Resource names (auto-naming)", "https://www.pulumi.com/docs/iac/concepts/resources/names/"),
  caIssuer: page("edge-mtls README: The CA stack (ca-issuer refuses names outside the client_auth policy)", "README.md#the-ca-stack-pulumi-up---stack-ca-dev"),
} as const;

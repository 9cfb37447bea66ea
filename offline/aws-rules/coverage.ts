/**
 * Resource types the programs create that no catalogue rule constrains, and why: the catalogue
 * covers every type the two programs declare, either with rules or with a reason here.
 */
export const NO_CONTROL_PLANE_LIMIT_RELIED_ON: Readonly<Record<string, string>> = {
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "fixed value (BucketOwnerEnforced); no name or size",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "four booleans; no name or size",
  "aws:s3/bucketVersioning:BucketVersioning": "fixed value; no name or size",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "fixed value (AES256); no name or size",
  "aws:s3/bucketPolicy:BucketPolicy": "policies of a few statements, far below S3's 20 KB bucket-policy limit; asserted statement by statement in the component tests",
  "aws:s3/bucketObjectv2:BucketObjectv2": "its content is judged where it is used: the trust-bundle rules of CloudFront and API Gateway",
  "aws:iam/rolePolicy:RolePolicy": "inline policies of a few statements, far below IAM's 10,240-character aggregate; asserted statement by statement in the component tests (s3-read-before-write-needs-list-bucket judges what S3 answers their reads)",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "an AWS managed policy ARN",
  "aws:kms/key:Key": "key spec and usage are constrained by the CA config reader (P-521 refused for the trust stores); descriptions are short",
  "aws:lambda/permission:Permission": "auto-named statement ids; principals validated by the CA config reader",
  "aws:lambda/invocation:Invocation": "payloads far below Lambda's 6 MB synchronous limit; the CA's answer is judged by the CA name-policy rule",
  "aws:apigateway/restApi:RestApi": "name below 1,024 characters (edge-mtls-<env>-api)",
  "aws:apigateway/resource:Resource": "fixed path parts (api, {proxy+})",
  "aws:apigateway/method:Method": "fixed methods with the authorizer",
  "aws:apigateway/integration:Integration": "Lambda proxy integrations",
  "aws:apigateway/deployment:Deployment": "no name",
  "aws:apigateway/stage:Stage": "fixed stage name prod",
  "aws:apigateway/methodSettings:MethodSettings": "throttling numbers",
  "aws:apigateway/basePathMapping:BasePathMapping": "used by the authorizer identity-source rule to find the API behind a distribution",
  "aws:apigateway/account:Account": "one role ARN",
  "aws:acm/certificateValidation:CertificateValidation": "waits for DNS validation; nothing to refuse offline",
  "aws:route53/record:Record": "alias and validation records of names the config reader checks as DNS host names",
  "aws:cloudfront/trustStore:TrustStore": "its bundle object is judged by cloudfront-trust-store-bundle",
  "aws:cloudwatch/eventTarget:EventTarget":
    "one target, the alarm topic, on the key-change rule; its id is left to the provider; the topic's ARN is checked by the CA config reader (an SNS topic in the rule's own region)",
};

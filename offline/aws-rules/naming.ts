import { isIP } from "node:net";
import { AwsResourceRule, label, nameRule } from "./rule";
import { SOURCES } from "./sources";

export const iamRoleName = nameRule({
  id: "iam-role-name",
  service: "IAM",
  resourceTypes: ["aws:iam/role:Role"],
  what: "role name",
  min: 1,
  max: 64,
  pattern: /^[\w+=,.@-]+$/,
  allowed: "letters, digits and + = , . @ _ -",
  prefixMax: 38,
  awsError: "ValidationError (CreateRole)",
  sources: [SOURCES.iamQuotas, SOURCES.tfIamRole],
});

export const s3BucketName = nameRule({
  id: "s3-bucket-name",
  service: "S3",
  resourceTypes: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  field: "bucket",
  what: "bucket name",
  min: 3,
  max: 63,
  pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
  allowed: "lower-case letters, digits, '.' and '-', starting and ending with a letter or digit",
  prefixMax: 37,
  awsError: "InvalidBucketName (CreateBucket)",
  sources: [SOURCES.s3BucketNaming, SOURCES.pulumiAutonaming],
  extra(name) {
    if (name.includes("..")) return "has two adjacent periods";
    if (isIP(name)) return "is formatted as an IP address";
    if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return "starts with a reserved prefix (xn--, sthree-, amzn-s3-demo-)";
    if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return "ends with a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)";
    return undefined;
  },
});

export const kmsAliasName = nameRule({
  id: "kms-alias-name",
  service: "KMS",
  resourceTypes: ["aws:kms/alias:Alias"],
  what: "alias name",
  min: 7,
  max: 256,
  pattern: /^alias\/[A-Za-z0-9/_-]+$/,
  allowed: "alias/ followed by letters, digits, / _ -",
  awsError: "InvalidAliasNameException / ValidationException (CreateAlias)",
  sources: [SOURCES.kmsAlias],
  extra: (name) => (name.startsWith("alias/aws/") ? "uses the alias/aws/ prefix AWS reserves for AWS managed keys" : undefined),
});

export const logGroupName = nameRule({
  id: "cloudwatch-log-group-name",
  service: "CloudWatch Logs",
  resourceTypes: ["aws:cloudwatch/logGroup:LogGroup"],
  what: "log group name",
  min: 1,
  max: 512,
  pattern: /^[.\-_/#A-Za-z0-9]+$/,
  allowed: "letters, digits and . - _ / #",
  awsError: "InvalidParameterException (CreateLogGroup)",
  sources: [SOURCES.logsCreateLogGroup],
});

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const logGroupRetention: AwsResourceRule = {
  id: "cloudwatch-log-group-retention",
  service: "CloudWatch Logs",
  scope: "resource",
  kind: "hard",
  summary: `Log retention is one of ${LOG_RETENTION_DAYS.join(", ")} days.`,
  awsError: "InvalidParameterException (PutRetentionPolicy)",
  sources: [SOURCES.logsRetention],
  resourceTypes: ["aws:cloudwatch/logGroup:LogGroup"],
  check(resource) {
    const days = resource.props.retentionInDays;
    return typeof days === "number" && days !== 0 && !(LOG_RETENTION_DAYS as readonly number[]).includes(days) ? [`${label(resource)}: retentionInDays ${days}; CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(", ")}`] : [];
  },
};

export const alarmName = nameRule({
  id: "cloudwatch-alarm-name",
  service: "CloudWatch",
  resourceTypes: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  what: "alarm name",
  min: 1,
  max: 255,
  pattern: /^[^\x00-\x1f]+$/,
  allowed: "any characters but control characters",
  awsError: "InvalidParameterValue / ValidationError (PutMetricAlarm)",
  sources: [SOURCES.cwPutMetricAlarm],
});

export const alarmSettings: AwsResourceRule = {
  id: "cloudwatch-alarm-period-description",
  service: "CloudWatch",
  scope: "resource",
  kind: "hard",
  summary: "An alarm's period is 10, 20, 30 or a multiple of 60 seconds; its description at most 1,024 characters.",
  awsError: "InvalidParameterValue / ValidationError (PutMetricAlarm)",
  sources: [SOURCES.cwPutMetricAlarm],
  resourceTypes: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  check(resource) {
    const { period, alarmDescription } = resource.props;
    const problems: string[] = [];
    if (typeof period === "number" && !([10, 20, 30].includes(period) || (period >= 60 && period % 60 === 0))) problems.push(`${label(resource)}: period ${period} s; CloudWatch accepts 10, 20, 30 or a multiple of 60`);
    if (typeof alarmDescription === "string" && alarmDescription.length > 1024) problems.push(`${label(resource)}: alarmDescription has ${alarmDescription.length} characters; at most 1,024`);
    return problems;
  },
};

export const scheduleName = nameRule({
  id: "scheduler-schedule-name",
  service: "EventBridge Scheduler",
  resourceTypes: ["aws:scheduler/schedule:Schedule"],
  what: "schedule name",
  min: 1,
  max: 64,
  pattern: /^[0-9A-Za-z_.-]+$/,
  allowed: "letters, digits, . - _",
  prefixMax: 38,
  awsError: "ValidationException (CreateSchedule)",
  sources: [SOURCES.schedulerCreate],
});

export const dynamodbTableName = nameRule({
  id: "dynamodb-table-name",
  service: "DynamoDB",
  resourceTypes: ["aws:dynamodb/table:Table"],
  what: "table name",
  min: 3,
  max: 255,
  pattern: /^[A-Za-z0-9_.-]+$/,
  allowed: "letters, digits, _ . -",
  awsError: "ValidationException (CreateTable)",
  sources: [SOURCES.dynamodbNaming],
});

export const NAMING_RULES = [iamRoleName, s3BucketName, kmsAliasName, logGroupName, logGroupRetention, alarmName, alarmSettings, scheduleName, dynamodbTableName];

import { isIP } from "node:net";
import { clip } from "../../policies/normalise";
import { AwsResourceRule, fieldsOf, label, nameRule } from "./rule";
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
  disagreement: "Not found in AWS text reachable here: the 38-character limit of a name prefix is the Terraform provider's (64 less the 26 characters it appends), which @pulumi/aws inherits.",
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
  disagreement: "Sources disagree: the CreateAlias text allows letters, digits, '/', '_' and '-'; the API model's pattern also admits ':'; the Terraform provider refuses ':'. The rule refuses it, the stricter reading.",
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
  allowed: "letters, digits and . - _ / #, not starting with aws/",
  awsError: "InvalidParameterException (CreateLogGroup)",
  sources: [SOURCES.logsCreateLogGroup],
  // "/aws/lambda/…" is fine: only the leading "aws/" is reserved.
  extra: (name) => (name.startsWith("aws/") ? "starts with aws/, which CloudWatch Logs reserves" : undefined),
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
    const days = fieldsOf(resource).get("retentionInDays").number();
    return days !== undefined && days !== 0 && !(LOG_RETENTION_DAYS as readonly number[]).includes(days) ? [`${label(resource)}: retentionInDays ${days}; CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(", ")}`] : [];
  },
};

export const alarmName = nameRule({
  id: "cloudwatch-alarm-name",
  service: "CloudWatch",
  resourceTypes: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  what: "alarm name",
  min: 1,
  max: 255,
  pattern: /^[^\x00-\x1f\x7f]+$/,
  allowed: "any characters but ASCII control characters (0x00–0x1F and DEL)",
  awsError: "InvalidParameterValue / ValidationError (PutMetricAlarm)",
  sources: [SOURCES.cwPutMetricAlarm],
});

export const alarmSettings: AwsResourceRule = {
  id: "cloudwatch-alarm-period-description",
  service: "CloudWatch",
  scope: "resource",
  kind: "hard",
  summary: "An alarm's period is 10, 20, 30 or a multiple of 60 seconds; period × evaluation periods at most 604,800 seconds (7 days), and at most 86,400 (1 day) when the period is under 3,600; its description at most 1,024 characters.",
  awsError: "InvalidParameterValue / ValidationError (PutMetricAlarm)",
  sources: [SOURCES.cwPutMetricAlarm],
  resourceTypes: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  check(resource) {
    const fields = fieldsOf(resource);
    const period = fields.get("period").number();
    const evaluationPeriods = fields.get("evaluationPeriods").number();
    const alarmDescription = fields.get("alarmDescription").text();
    const problems: string[] = [];
    if (period !== undefined && !([10, 20, 30].includes(period) || (period >= 60 && period % 60 === 0))) problems.push(`${label(resource)}: period ${period} s; CloudWatch accepts 10, 20, 30 or a multiple of 60`);
    if (period !== undefined && evaluationPeriods !== undefined) {
      const total = period * evaluationPeriods;
      const limit = period < 3600 ? 86400 : 604800;
      if (total > limit) problems.push(`${label(resource)}: period ${period} s × evaluationPeriods ${evaluationPeriods} = ${total.toLocaleString("en-US")} s; CloudWatch accepts at most ${limit === 86400 ? "86,400 (one day) for periods under an hour" : "604,800 (seven days)"}`);
    }
    if (alarmDescription !== undefined && alarmDescription.length > 1024) problems.push(`${label(resource)}: alarmDescription has ${alarmDescription.length} characters; at most 1,024`);
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

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, hour: 60, day: 1440 };

/** How many minutes apart a `rate(...)` expression runs; undefined for cron(...), at(...) or anything else. */
export function rateMinutes(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  return rate ? Number(rate[1]) * UNIT_MINUTES[rate[2]!.replace(/s$/, "")]! : undefined;
}

/**
 * Why EventBridge Scheduler would refuse `expression` (undefined: it accepts it): `rate(<n> <unit>)`
 * with a positive whole number and minute(s), hour(s) or day(s) — singular for 1, plural above —,
 * `cron(<6 fields>)`, or `at(yyyy-mm-ddThh:mm:ss)`; at most 256 characters.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (expression.length > 256) return `has ${expression.length} characters; at most 256`;
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return "has a rate of 0; the value must be a positive whole number";
    const plural = rate[2]!.endsWith("s");
    if (value === 1 && plural) return `must say ${rate[2]!.slice(0, -1)}, not ${rate[2]}, for a value of 1`;
    if (value > 1 && !plural) return `must say ${rate[2]}s, not ${rate[2]}, for a value above 1`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cron[1]!.trim().split(/\s+/).length === 6 ? undefined : "is a cron expression without the six fields (minutes hours day-of-month month day-of-week year)";
  if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) return undefined;
  return "is not rate(<value> <unit>), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)";
}

export const scheduleExpression: AwsResourceRule = {
  id: "scheduler-schedule-expression",
  service: "EventBridge Scheduler",
  scope: "resource",
  kind: "hard",
  summary: "A schedule expression is rate(<n> <unit>) with a positive whole number and minute(s), hour(s) or day(s) (singular for 1, plural above), cron(<6 fields>), or at(yyyy-mm-ddThh:mm:ss); at most 256 characters.",
  awsError: "ValidationException (CreateSchedule / UpdateSchedule)",
  sources: [SOURCES.schedulerScheduleTypes, SOURCES.schedulerCreate, SOURCES.eventsRateExpressions],
  disagreement: "Sources disagree: EventBridge Scheduler's pages list minute | minutes | hour | hours | day | days without saying which goes with which value; EventBridge's rate-expression reference says rate(1 hours) and rate(5 hour) are invalid. The rule takes that stricter reading.",
  resourceTypes: ["aws:scheduler/schedule:Schedule"],
  check(resource) {
    const expression = fieldsOf(resource).get("scheduleExpression").text();
    const problem = expression === undefined ? undefined : scheduleExpressionProblem(expression);
    return problem ? [`${label(resource)}: scheduleExpression ${clip(expression!, 80)} ${problem}`] : [];
  },
};

export const eventRuleName = nameRule({
  id: "eventbridge-rule-name",
  service: "EventBridge",
  resourceTypes: ["aws:cloudwatch/eventRule:EventRule"],
  what: "rule name",
  min: 1,
  max: 64,
  pattern: /^[.\-_A-Za-z0-9]+$/,
  allowed: "letters, digits, . - _",
  awsError: "ValidationException (PutRule)",
  sources: [SOURCES.eventsRule],
});

export const eventRuleSettings: AwsResourceRule = {
  id: "eventbridge-rule-description",
  service: "EventBridge",
  scope: "resource",
  kind: "hard",
  summary: "A rule's description is at most 512 characters.",
  awsError: "ValidationException (PutRule)",
  sources: [SOURCES.eventsRule],
  resourceTypes: ["aws:cloudwatch/eventRule:EventRule"],
  check(resource) {
    const description = fieldsOf(resource).get("description").text();
    return description !== undefined && description.length > 512 ? [`${label(resource)}: description has ${description.length} characters; at most 512`] : [];
  },
};

export const eventPatternSize: AwsResourceRule = {
  id: "eventbridge-event-pattern-size",
  service: "EventBridge",
  scope: "resource",
  kind: "quota",
  defaultQuota: 2048,
  summary: "An event pattern is at most 2,048 characters (adjustable by a quota request).",
  awsError: "InvalidEventPatternException / LimitExceededException (PutRule)",
  sources: [SOURCES.eventsQuotas, SOURCES.eventsRule, SOURCES.tfEventPatternLimit],
  disagreement: "Sources disagree: the API reference gives the EventPattern field a maximum length of 4,096; the quotas page gives 2,048 characters by default, adjustable. The rule takes the default quota; the Terraform provider @pulumi/aws inherits has been reported to refuse patterns over 2,048 at plan time even with a raised quota (terraform-provider-aws issue 33732).",
  resourceTypes: ["aws:cloudwatch/eventRule:EventRule"],
  check(resource, quota) {
    const pattern = fieldsOf(resource).get("eventPattern").text();
    return pattern !== undefined && pattern.length > quota ? [`${label(resource)}: its event pattern has ${pattern.length} characters; the quota is ${quota}`] : [];
  },
};

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

export const NAMING_RULES = [iamRoleName, s3BucketName, kmsAliasName, logGroupName, logGroupRetention, alarmName, alarmSettings, scheduleName, scheduleExpression, eventRuleName, eventRuleSettings, eventPatternSize, dynamodbTableName];

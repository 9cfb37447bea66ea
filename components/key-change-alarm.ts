import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The KMS operations on a CA key that the CA never performs in normal running and that change who
 * can use the key or whether it exists: a new key policy (the one way left to gain kms:Sign), a
 * grant, a deletion, a disabled key.
 */
export const KEY_CHANGE_EVENT_NAMES = ["PutKeyPolicy", "CreateGrant", "ScheduleKeyDeletion", "DisableKey"] as const;

/** A KMS key as CloudTrail may name it: callers give these operations the key id or the key ARN. */
export interface WatchedKey {
  readonly keyId: string;
  readonly arn: string;
}

/**
 * The EventBridge pattern for those operations on these keys, as CloudTrail delivers them
 * ("AWS API Call via CloudTrail", source aws.kms). The key is matched on
 * `requestParameters.keyId`, which holds what the caller passed: these four operations accept
 * only a key id or a key ARN, so both forms are listed.
 */
export function keyChangeEventPattern(keys: readonly WatchedKey[]): Record<string, unknown> {
  return {
    source: ["aws.kms"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["kms.amazonaws.com"],
      eventName: [...KEY_CHANGE_EVENT_NAMES],
      requestParameters: { keyId: keys.flatMap((k) => [k.keyId, k.arn]) },
    },
  };
}

/** Arguments of {@link keyChangeAlarm}. */
export interface KeyChangeAlarmArgs {
  /** EventBridge rule name (its ARN is what the alarm topic's policy must name). */
  readonly ruleName: string;
  readonly description: string;
  readonly keys: readonly aws.kms.Key[];
  /** Where the matched events go; without one the rule matches but notifies nobody. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/**
 * An EventBridge rule on the default bus matching {@link KEY_CHANGE_EVENT_NAMES} on the given keys,
 * publishing each event to the alarm topic, and a CloudWatch alarm for when that publication fails
 * (the topic's policy does not let events.amazonaws.com publish): a silent alarm path is found
 * out before it is needed.
 */
export function keyChangeAlarm(name: string, parent: pulumi.Resource, args: KeyChangeAlarmArgs): aws.cloudwatch.EventRule {
  const keys = pulumi.all(args.keys.map((k) => pulumi.all([k.keyId, k.arn])));
  const rule = new aws.cloudwatch.EventRule(
    name,
    { name: args.ruleName, description: args.description, eventPattern: keys.apply((ks) => JSON.stringify(keyChangeEventPattern(ks.map(([keyId, arn]) => ({ keyId, arn }))))) },
    { parent },
  );
  if (args.alarmTopicArn) {
    new aws.cloudwatch.EventTarget(`${name}-to-alarm-topic`, { rule: rule.name, arn: args.alarmTopicArn }, { parent });
    new aws.cloudwatch.MetricAlarm(
      `${name}-undelivered`,
      {
        alarmDescription: `${args.ruleName} matched a CA key change but could not publish it to the alarm topic; the topic's policy must allow events.amazonaws.com sns:Publish for this rule`,
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: rule.name },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // EventBridge sends FailedInvocations only when it is not zero.
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
      },
      { parent },
    );
  }
  return rule;
}

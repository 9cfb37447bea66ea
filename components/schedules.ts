import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { schedulerPolicy, serviceAssumeRolePolicy } from "./ca-policies";

/** One function invoked on a schedule. */
export interface ScheduledInvocation {
  /** Names the schedule: `${name}-${key}-schedule`. */
  readonly key: string;
  readonly functionArn: pulumi.Input<string>;
  /** An EventBridge Scheduler expression, e.g. `rate(1 hour)`. */
  readonly expression: string;
  /** The event the function receives (JSON). */
  readonly input: string;
}

/**
 * EventBridge Scheduler schedules for Lambda functions, through one role that the scheduler may
 * assume only for this account and that may invoke exactly these functions.
 */
export function scheduleInvocations(name: string, parent: pulumi.Resource, invocations: readonly ScheduledInvocation[]): void {
  const opts = { parent };
  const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
  const role = new aws.iam.Role(`${name}-scheduler-role`, { assumeRolePolicy: accountId.apply((a) => JSON.stringify(serviceAssumeRolePolicy("scheduler.amazonaws.com", a))) }, opts);
  new aws.iam.RolePolicy(`${name}-scheduler-policy`, { role: role.id, policy: pulumi.all(invocations.map((i) => i.functionArn)).apply((arns) => JSON.stringify(schedulerPolicy(arns))) }, opts);
  for (const invocation of invocations) {
    new aws.scheduler.Schedule(
      `${name}-${invocation.key}-schedule`,
      { scheduleExpression: invocation.expression, flexibleTimeWindow: { mode: "OFF" }, target: { arn: invocation.functionArn, roleArn: role.arn, input: invocation.input } },
      opts,
    );
  }
}

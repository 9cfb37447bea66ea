import { createHash, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { InventoryEntry } from "../../pki/inventory-query";
import { BACKDATE_MS } from "../../pki/profiles";
import { REMINDER_ENV, REMINDER_METRIC } from "../shared/contract";
import { DynamoInventory, DynamoReminderLedger, seriesOf, toEntry } from "../shared/inventory";
import { jsonLogger, Logger } from "../shared/log";

const DAY_MS = 86400_000;
/** A claim older than this belongs to a run that died before sending: another run may take it over. */
export const CLAIM_LEASE_MS = 15 * 60_000;
/** Reminder records are kept this long after the certificate expires, then DynamoDB's TTL removes them. */
const RECORD_RETENTION_MS = 30 * DAY_MS;

/** The default reminder windows, in days before notAfter. */
export const DEFAULT_REMINDER_WINDOWS = [30, 14, 7, 1] as const;

/** What ca-reminders is told through its environment. */
export interface ReminderConfig {
  readonly topicArn: string;
  /** Days before expiry at which to remind, each once. */
  readonly windowsDays: readonly number[];
  /** The CA's environment name, for the message subject. */
  readonly environment: string;
}

/** One message to the notification topic. */
export interface ReminderMessage {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Stable per certificate and window: FIFO topics drop a duplicate within their deduplication interval. */
  readonly deduplicationId: string;
  readonly groupId: string;
}

/** What the handler works with. */
export interface ReminderDeps {
  readonly config: ReminderConfig;
  readonly inventory: Pick<DynamoInventory, "validExpiringBetween" | "hasSuccessor">;
  readonly ledger: Pick<DynamoReminderLedger, "claim" | "markSent">;
  /** Publishes one message; returns its message id. */
  readonly publish: (message: ReminderMessage) => Promise<string>;
  readonly clock: () => Date;
  readonly newToken: () => string;
  readonly log: Logger;
}

/** What one run did. */
export interface ReminderResult {
  /** Valid certificates in the largest window. */
  readonly considered: number;
  readonly sent: number;
  /** Already sent (or being sent by a concurrent run). */
  readonly alreadySent: number;
  /** Renewed: a later valid certificate of the same series exists. */
  readonly superseded: number;
  /** Items DynamoDB read for the run's queries. */
  readonly itemsRead: number;
}

/**
 * The window a certificate is in (pure): the smallest configured window that its remaining time
 * has entered, counting only windows shorter than its lifetime (a 1-day smoke-test certificate is
 * "within 1 day" from birth: nobody needs reminding of that). The lifetime runs from issuance:
 * the CA backdates notBefore by {@link BACKDATE_MS}, so a 1-day certificate spans a day and five
 * minutes. Undefined when none applies.
 */
export function reminderWindow(certificate: { notBefore: string; notAfter: string }, now: Date, windowsDays: readonly number[]): number | undefined {
  const notAfter = new Date(certificate.notAfter).getTime();
  const left = notAfter - now.getTime();
  if (left < 0) return undefined;
  const lifetime = notAfter - (new Date(certificate.notBefore).getTime() + BACKDATE_MS);
  const entered = windowsDays.filter((w) => left <= w * DAY_MS && lifetime > w * DAY_MS);
  return entered.length ? Math.min(...entered) : undefined;
}

/** Printable ASCII only, without line breaks (SNS subjects: no control characters, under 100 characters). */
const subjectText = (text: string) => text.replace(/[^\x20-\x7e]/g, "?");

const commonName = (subject: string) => /(?:^|,)CN=((?:\\.|[^,\\])*)/.exec(subject)?.[1]?.replace(/\\(.)/g, "$1") ?? subject;

/** The reminder for one certificate and window (pure): subject, text, attributes for subscription filters. */
export function reminderMessage(entry: InventoryEntry, windowDays: number, now: Date, config: Pick<ReminderConfig, "environment" | "windowsDays">): ReminderMessage {
  const daysLeft = Math.max(0, (new Date(entry.notAfter).getTime() - now.getTime()) / DAY_MS);
  const subject = subjectText(`edge-mtls ${config.environment}: certificate ${commonName(entry.subject)} expires within ${windowDays} day${windowDays === 1 ? "" : "s"}`);
  const requester = entry.requester || "unknown (issued without a stack idempotency key)";
  const message = [
    `A certificate issued by the edge-mtls ${config.environment} CA expires within ${windowDays} day${windowDays === 1 ? "" : "s"} (in ${daysLeft.toFixed(1)} days).`,
    "",
    `Subject:    ${entry.subject}`,
    `Serial:     ${entry.serialHex}`,
    `Requester:  ${requester}${entry.requestId ? ` (ca-issuer request ${entry.requestId})` : ""}`,
    `Not after:  ${entry.notAfter}`,
    `Purposes:   ${entry.purposes.join(", ")}`,
    "",
    `This is the ${windowDays}-day reminder; reminders go out once each, at ${[...config.windowsDays].sort((a, b) => b - a).join(", ")} days before expiry.`,
    "Renew it before then (edge-mtls cert issue --ca-function <issuer>); CloudFront's origin certificate renews itself (origin-cert-renewer).",
  ].join("\n");
  return {
    subject: subject.length < 100 ? subject : subject.slice(0, 96) + "...",
    message,
    attributes: { serialNumber: entry.serialHex, windowDays: String(windowDays), notAfter: entry.notAfter },
    deduplicationId: createHash("sha256").update(`${entry.serialHex}:${windowDays}`).digest("hex"),
    groupId: entry.serialHex,
  };
}

/**
 * ca-reminders: once a day, reads the valid certificates expiring within the largest window from
 * the expiry index, and for each that has entered a window sends one message to the notification
 * topic (subject, serial, requester, notAfter) — once per certificate and window, however many
 * runs overlap or retry: each reminder is claimed with a conditional write before it is sent.
 * Certificates renewed in the meantime (a later valid certificate of the same series) are not
 * reminded. A failed publication is retried by the next run and fails this one (error alarm).
 */
export async function handle(_event: unknown, deps: ReminderDeps): Promise<ReminderResult> {
  const now = deps.clock();
  const { windowsDays } = deps.config;
  const until = new Date(now.getTime() + Math.max(...windowsDays) * DAY_MS);
  const { items, itemsRead } = await deps.inventory.validExpiringBetween(now, until);
  const token = deps.newToken();
  let sent = 0;
  let alreadySent = 0;
  let superseded = 0;
  const failed: string[] = [];
  for (const item of items) {
    const entry = toEntry(item, now);
    const window = reminderWindow(entry, now, windowsDays);
    if (window === undefined) continue;
    const series = seriesOf(item);
    if (series && (await deps.inventory.hasSuccessor(series, item.notAfter))) {
      superseded++;
      continue;
    }
    const claimed = await deps.ledger.claim(entry.serialHex, window, { token, now, leaseMs: CLAIM_LEASE_MS, expiresAt: new Date(new Date(entry.notAfter).getTime() + RECORD_RETENTION_MS) });
    if (!claimed) {
      alreadySent++;
      continue;
    }
    try {
      const messageId = await deps.publish(reminderMessage(entry, window, now, deps.config));
      await deps.ledger.markSent(entry.serialHex, window, token, { now, messageId });
      sent++;
      deps.log.info("reminder.sent", { serialNumber: entry.serialHex, windowDays: window, notAfter: entry.notAfter, messageId });
    } catch (error) {
      failed.push(entry.serialHex);
      deps.log.error("reminder.failed", { serialNumber: entry.serialHex, windowDays: window, error: (error as Error).name, message: (error as Error).message });
    }
  }
  deps.log.metric(REMINDER_METRIC.namespace, REMINDER_METRIC.name, sent);
  deps.log.info("reminders.done", { considered: items.length, sent, alreadySent, superseded, itemsRead, failed: failed.length });
  if (failed.length) throw new Error(`${failed.length} reminder(s) could not be published (serials ${failed.join(", ")}); the next run retries them once their claim lapses`);
  return { considered: items.length, sent, alreadySent, superseded, itemsRead };
}

/** Thrown when the environment is wrong: a deployment bug, reported with the variable's name. */
export class ReminderConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`environment ${variable}: ${problem}`);
    this.name = "ReminderConfigError";
  }
}

/** Reads and checks the reminders' configuration from an environment (pure). */
export function readReminderConfig(env: Record<string, string | undefined>): ReminderConfig {
  const topicArn = env[REMINDER_ENV.topicArn];
  if (!topicArn || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(topicArn)) throw new ReminderConfigError(REMINDER_ENV.topicArn, `must be an SNS topic ARN; got ${topicArn ?? "nothing"}`);
  let windows: unknown;
  try {
    windows = env[REMINDER_ENV.windowsDays] ? JSON.parse(env[REMINDER_ENV.windowsDays]!) : [...DEFAULT_REMINDER_WINDOWS];
  } catch {
    throw new ReminderConfigError(REMINDER_ENV.windowsDays, "is not valid JSON");
  }
  if (!Array.isArray(windows) || windows.length === 0 || !windows.every((w) => Number.isInteger(w) && w >= 1 && w <= 3650)) throw new ReminderConfigError(REMINDER_ENV.windowsDays, "must be a non-empty JSON list of whole numbers of days from 1 to 3650");
  return { topicArn, windowsDays: [...new Set(windows as number[])].sort((a, b) => b - a), environment: env[REMINDER_ENV.environment] ?? "" };
}

/** Publishes to an SNS topic (standard or FIFO: FIFO needs a group and deduplicates by id). */
export function snsPublisher(client: SNSClient, topicArn: string): ReminderDeps["publish"] {
  const fifo = topicArn.endsWith(".fifo");
  return async (message) => {
    const result = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        Message: message.message,
        MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value }])),
        ...(fifo ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId } : {}),
      }),
    );
    return result.MessageId ?? "";
  };
}

let deps: ReminderDeps | undefined;

/** The Lambda entry point (daily, from EventBridge Scheduler). */
export async function handler(event: unknown): Promise<ReminderResult> {
  if (!deps) {
    const config = readReminderConfig(process.env);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    const table = process.env[REMINDER_ENV.tableName] ?? "";
    deps = {
      config,
      inventory: new DynamoInventory(documents, table),
      ledger: new DynamoReminderLedger(documents, table),
      // The topic may live in another region: publish there (an ARN names its region).
      publish: snsPublisher(new SNSClient({ region: config.topicArn.split(":")[3] }), config.topicArn),
      clock: () => new Date(),
      newToken: randomUUID,
      log: jsonLogger(),
    };
  }
  return handle(event, deps);
}

/** One structured log line (JSON), as CloudWatch Logs Insights reads it. Never pass key material. */
export type LogFields = Record<string, string | number | boolean | undefined | null | string[]>;

/** Dimensions and unit of a metric (CloudWatch standard units, e.g. `Count`, `None`). */
export interface MetricOptions {
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly unit?: string;
}

/** Where handlers log; tests capture it. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /**
   * One CloudWatch metric, in the embedded metric format (a log line CloudWatch turns into a
   * metric; no cloudwatch:PutMetricData permission needed). Unit `Count` unless given; dimensions
   * as name → value.
   */
  metric(namespace: string, name: string, value: number, options?: MetricOptions): void;
}

const SECRET_KEYS = /private|secret|key(pem)?$/i;

/** A logger writing JSON lines to stdout; fields whose names look secret are dropped, PEM bodies refused. */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line + "\n")): Logger {
  const emit = (level: string, event: string, fields: LogFields = {}) => {
    const safe: LogFields = {};
    for (const [name, value] of Object.entries(fields)) {
      if (SECRET_KEYS.test(name) && name !== "idempotencyKey") continue;
      if (typeof value === "string" && value.includes("PRIVATE KEY")) continue;
      safe[name] = value;
    }
    write(JSON.stringify({ level, event, ...safe, time: new Date().toISOString() }));
  };
  return {
    info: (event, fields) => emit("info", event, fields),
    error: (event, fields) => emit("error", event, fields),
    metric: (namespace, name, value, options = {}) => {
      const dimensions = options.dimensions ?? {};
      write(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: options.unit ?? "Count" }] }] }, ...dimensions, [name]: value }));
    },
  };
}

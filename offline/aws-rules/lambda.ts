import { AwsResourceRule, bytes, label, nameRule } from "./rule";
import { SOURCES } from "./sources";

const FUNCTION = ["aws:lambda/function:Function"];

export const lambdaFunctionName = nameRule({
  id: "lambda-function-name",
  service: "Lambda",
  resourceTypes: FUNCTION,
  what: "function name",
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9_-]+$/,
  allowed: "letters, digits, - and _",
  awsError: "InvalidParameterValueException / ValidationException (CreateFunction)",
  sources: [SOURCES.lambdaCreateFunction, SOURCES.lambdaQuotas],
});

/** The size Lambda counts for a function's environment: the variables as JSON (the stricter reading). */
export function environmentBytes(variables: Record<string, unknown>): number {
  return bytes(JSON.stringify(variables));
}

export const lambdaEnvironmentSize: AwsResourceRule = {
  id: "lambda-environment-size",
  service: "Lambda",
  scope: "resource",
  kind: "hard",
  summary: "A function's environment variables total at most 4 KB.",
  awsError: "InvalidParameterValueException (CreateFunction / UpdateFunctionConfiguration)",
  sources: [SOURCES.lambdaQuotas, SOURCES.lambdaEnv],
  disagreement: "The quota page says 4 KB for 'all environment variables' without saying how they are counted; the rule counts the variables serialised as JSON (names, values, quotes and separators), the larger reading.",
  resourceTypes: FUNCTION,
  check(resource) {
    const variables = resource.props.environment?.variables;
    if (!variables || typeof variables !== "object" || Object.values(variables).some((v) => typeof v !== "string")) return [];
    const size = environmentBytes(variables);
    return size > 4096 ? [`${label(resource)}: its environment is ${size} bytes; Lambda accepts at most 4,096 (move large values to S3 or SSM and read them at start-up)`] : [];
  },
};

/** Environment variable names Lambda sets itself and refuses from configuration. */
export const RESERVED_ENVIRONMENT_VARIABLES = [
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
] as const;

export const lambdaEnvironmentNames: AwsResourceRule = {
  id: "lambda-environment-names",
  service: "Lambda",
  scope: "resource",
  kind: "hard",
  summary: "Environment variable names start with a letter, hold only letters, digits and _, and are not one of Lambda's reserved names (AWS_REGION, _HANDLER, …).",
  awsError: "InvalidParameterValueException (CreateFunction / UpdateFunctionConfiguration)",
  sources: [SOURCES.lambdaEnv],
  resourceTypes: FUNCTION,
  check(resource) {
    const variables = resource.props.environment?.variables;
    if (!variables || typeof variables !== "object") return [];
    return Object.keys(variables).flatMap((name) => {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return [`${label(resource)}: environment variable ${name}: names start with a letter and hold letters, digits and _`];
      if ((RESERVED_ENVIRONMENT_VARIABLES as readonly string[]).includes(name)) return [`${label(resource)}: environment variable ${name} is reserved by Lambda`];
      return [];
    });
  },
};

export const lambdaLimits: AwsResourceRule = {
  id: "lambda-memory-timeout-description",
  service: "Lambda",
  scope: "resource",
  kind: "hard",
  summary: "Memory 128–10,240 MB, timeout 1–900 seconds, description at most 256 characters.",
  awsError: "InvalidParameterValueException / ValidationException (CreateFunction)",
  sources: [SOURCES.lambdaQuotas, SOURCES.lambdaCreateFunction],
  resourceTypes: FUNCTION,
  check(resource) {
    const { memorySize, timeout, description } = resource.props;
    const problems: string[] = [];
    if (typeof memorySize === "number" && (memorySize < 128 || memorySize > 10240)) problems.push(`${label(resource)}: memorySize ${memorySize} MB; Lambda accepts 128–10,240`);
    if (typeof timeout === "number" && (timeout < 1 || timeout > 900)) problems.push(`${label(resource)}: timeout ${timeout} s; Lambda accepts 1–900`);
    if (typeof description === "string" && description.length > 256) problems.push(`${label(resource)}: description has ${description.length} characters; at most 256`);
    return problems;
  },
};

export const LAMBDA_RULES = [lambdaFunctionName, lambdaEnvironmentSize, lambdaEnvironmentNames, lambdaLimits];

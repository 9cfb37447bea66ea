import { clip, type Field } from "../../policies/normalise";
import { AwsResourceRule, bytes, fieldsOf, label, nameRule, unlessHidden } from "./rule";
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

/**
 * A function's environment variables, name → value (an absent value reads as ""); `undefined`
 * when the export holds the environment as a secret (the authorizer's holds the origin secret).
 */
function variablesOf(resource: Parameters<typeof fieldsOf>[0]): Record<string, string> | undefined {
  const environment = fieldsOf(resource).get("environment");
  return unlessHidden(environment, (e) =>
    unlessHidden(e.get("variables"), (variables: Field) => {
      const value = variables.value;
      if (value === undefined) return {};
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw variables.unreadable("is not an object of variable names and values");
      return Object.fromEntries(
        Object.keys(value).map((name) => {
          const v = variables.get(name);
          return [name, unlessHidden(v, (x) => x.text()) ?? ""];
        }),
      );
    }),
  );
}

export const lambdaEnvironmentSize: AwsResourceRule = {
  id: "lambda-environment-size",
  service: "Lambda",
  scope: "resource",
  kind: "hard",
  summary: "A function's environment variables total at most 4 KB.",
  awsError: "InvalidParameterValueException (CreateFunction / UpdateFunctionConfiguration)",
  sources: [SOURCES.lambdaQuotas, SOURCES.lambdaEnv],
  disagreement:
    "Not found in AWS text reachable here: how the 4 KB of 'all environment variables' are counted. Lambda's own error text ('exceeded the 4KB limit. String measured: {…}') measures the variables as a JSON object; the rule counts them so (names, values, quotes and separators), the larger reading.",
  resourceTypes: FUNCTION,
  check(resource) {
    const variables = variablesOf(resource);
    if (variables === undefined) return [];
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
  summary: "Environment variable names start with a letter, are at least two characters long, hold only letters, digits and _, and are not one of Lambda's reserved names (AWS_REGION, _HANDLER, …).",
  awsError: "InvalidParameterValueException / ValidationException (CreateFunction / UpdateFunctionConfiguration)",
  sources: [SOURCES.lambdaEnvironmentApi, SOURCES.lambdaEnv],
  disagreement:
    "Sources disagree: AWS's 2023 source of the reserved-variables list lacks AWS_DEFAULT_REGION, which the current page lists (the rule refuses it); the current list past its opening cannot be read here, so names AWS reserved since are not known to the rule.",
  resourceTypes: FUNCTION,
  check(resource) {
    return Object.keys(variablesOf(resource) ?? {}).flatMap((name) => {
      if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(name)) return [`${label(resource)}: environment variable ${clip(JSON.stringify(name), 80)}: names start with a letter, are at least two characters long and hold only letters, digits and _`];
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
  disagreement:
    "Sources disagree: the quotas page and CreateFunction's text give 10,240 MB and 900 seconds; the API model now accepts up to 32,768 MB and 5,400 seconds (for Lambda Managed Instances). The rule takes 10,240 MB and 900 seconds, the stricter reading, which holds for ordinary functions.",
  resourceTypes: FUNCTION,
  check(resource) {
    const fields = fieldsOf(resource);
    const [memorySize, timeout] = [fields.get("memorySize").number(), fields.get("timeout").number()];
    const description = fields.get("description").text();
    const problems: string[] = [];
    if (memorySize !== undefined && (memorySize < 128 || memorySize > 10240)) problems.push(`${label(resource)}: memorySize ${memorySize} MB; Lambda accepts 128–10,240`);
    if (timeout !== undefined && (timeout < 1 || timeout > 900)) problems.push(`${label(resource)}: timeout ${timeout} s; Lambda accepts 1–900`);
    if (description !== undefined && description.length > 256) problems.push(`${label(resource)}: description has ${description.length} characters; at most 256`);
    return problems;
  },
};

export const lambdaEventInvokeConfig: AwsResourceRule = {
  id: "lambda-event-invoke-config",
  service: "Lambda",
  scope: "resource",
  kind: "hard",
  summary: "Asynchronous invocation settings: maximumRetryAttempts 0–2, maximumEventAgeInSeconds 60–21,600.",
  awsError: "InvalidParameterValueException / ValidationException (PutFunctionEventInvokeConfig)",
  sources: [SOURCES.lambdaEventInvokeConfig],
  resourceTypes: ["aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"],
  check(resource) {
    const fields = fieldsOf(resource);
    const retries = fields.get("maximumRetryAttempts").number();
    const age = fields.get("maximumEventAgeInSeconds").number();
    const problems: string[] = [];
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 2)) problems.push(`${label(resource)}: maximumRetryAttempts ${retries}; Lambda accepts 0, 1 or 2`);
    if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 21600)) problems.push(`${label(resource)}: maximumEventAgeInSeconds ${age}; Lambda accepts 60–21,600`);
    return problems;
  },
};

export const LAMBDA_RULES = [lambdaFunctionName, lambdaEnvironmentSize, lambdaEnvironmentNames, lambdaLimits, lambdaEventInvokeConfig];

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as esbuild from "esbuild";
import { PACKAGE_ROOT, RUNNING_COMPILED } from "../package-root";

/** The package root, where `functions/` (sources) and `dist/lambda/` (prebuilt bundles) live. */
export const REPO_ROOT = PACKAGE_ROOT;

/** Where the build writes one bundle per function: `dist/lambda/<name>/index.js`. */
export const PREBUILT_LAMBDA_DIR = join(PACKAGE_ROOT, "dist", "lambda");

/** A bundled Lambda: one CommonJS file and its hash. */
export interface LambdaBundle {
  readonly functionName: string;
  readonly code: string;
  readonly sha256: string;
}

const cache = new Map<string, LambdaBundle>();

/** The Lambda functions in the sources: every `functions/<name>/index.ts`. */
export function lambdaFunctionNames(root: string = PACKAGE_ROOT): string[] {
  const dir = join(root, "functions");
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Bundles `functions/<name>/index.ts` with esbuild for the Lambda Node.js 22 runtime on arm64:
 * one minified CommonJS file with every dependency inside, AWS SDK included, so what runs is
 * exactly the versions in package-lock.json, not whatever SDK the runtime ships that day. Same
 * sources give the same bytes (no timestamps, no absolute paths). The build runs this for every
 * function (`dist/lambda/`); the TypeScript sources run it on demand. esbuild is a build tool, so
 * it is loaded only here.
 */
export function buildLambdaCode(functionName: string): string {
  const { buildSync } = require("esbuild") as typeof esbuild;
  const result = buildSync({
    entryPoints: [join(REPO_ROOT, "functions", functionName, "index.ts")],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    // ES module builds first: the AWS SDK's and @peculiar's `module` entries tree-shake, their CommonJS
    // `main` entries do not (this halves the authorizer's and revocation-sync's cold load).
    mainFields: ["module", "main"],
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    sourcemap: false,
    write: false,
    logLevel: "silent",
    tsconfig: join(REPO_ROOT, "tsconfig.json"),
    // The SDK probes for optional modules it does not need in Lambda.
    external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
    // Lambda gives credentials in the environment: the rest of the default chain is dead weight.
    alias: { "@aws-sdk/credential-provider-node": join(REPO_ROOT, "functions", "shared", "lambda-credentials.ts") },
  });
  return result.outputFiles[0]!.text;
}

/** The prebuilt bundle of `functionName` shipped in the package, or a clear error. */
function prebuiltCode(functionName: string): string {
  const file = join(PREBUILT_LAMBDA_DIR, functionName, "index.js");
  if (existsSync(file)) return readFileSync(file, "utf8");
  const known = existsSync(PREBUILT_LAMBDA_DIR) ? readdirSync(PREBUILT_LAMBDA_DIR).sort() : [];
  throw new Error(
    known.length === 0
      ? `edge-mtls has no prebuilt Lambda bundles (${PREBUILT_LAMBDA_DIR} is missing): the package was not built; run 'npm run build' in it`
      : `there is no Lambda function ${JSON.stringify(functionName)} in edge-mtls; known: ${known.join(", ")}`,
  );
}

/**
 * The code of a Lambda function: the bundle prebuilt into the package when running compiled (an
 * installed package has no function sources and no esbuild), or bundled now from the sources when
 * running TypeScript (so an edited handler deploys without a rebuild). Both come from
 * {@link buildLambdaCode}. Cached per process.
 */
export function bundleFunction(functionName: string): LambdaBundle {
  const cached = cache.get(functionName);
  if (cached) return cached;
  const code = RUNNING_COMPILED ? prebuiltCode(functionName) : buildLambdaCode(functionName);
  const bundle = { functionName, code, sha256: createHash("sha256").update(code).digest("base64") };
  cache.set(functionName, bundle);
  return bundle;
}

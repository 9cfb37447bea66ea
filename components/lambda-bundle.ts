import { createHash } from "node:crypto";
import { join } from "node:path";
import { buildSync } from "esbuild";

/** The repository root, where `functions/` lives. */
export const REPO_ROOT = join(__dirname, "..");

/** A bundled Lambda: one CommonJS file and its hash. */
export interface LambdaBundle {
  readonly functionName: string;
  readonly code: string;
  readonly sha256: string;
}

const cache = new Map<string, LambdaBundle>();

/**
 * Bundles `functions/<name>/index.ts` with esbuild for the Lambda Node.js 22 runtime on arm64:
 * one minified CommonJS file with every dependency inside, AWS SDK included, so what runs is
 * exactly the versions in package-lock.json, not whatever SDK the runtime ships that day. Same
 * sources give the same bytes (no timestamps, no absolute paths), so `pulumi up` only updates a
 * function whose code changed. Cached per process.
 */
export function bundleFunction(functionName: string): LambdaBundle {
  const cached = cache.get(functionName);
  if (cached) return cached;
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
  const code = result.outputFiles[0]!.text;
  const bundle = { functionName, code, sha256: createHash("sha256").update(code).digest("base64") };
  cache.set(functionName, bundle);
  return bundle;
}

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { buildSync } from "esbuild";

const REPO = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** What a consumer of the package runs: the CLI (every command), the two library entries, the policy pack. */
const ENTRY_POINTS = ["cli/main.ts", "components/index.ts", "automation/index.ts", "policies/index.ts"];

/**
 * Imports that run only from the TypeScript sources, never in the installed package: esbuild,
 * which bundles a Lambda on demand when the components run from sources (compiled, they read the
 * prebuilt bundles).
 */
const SOURCE_ONLY = ["esbuild"];

/** The packages the shipped code imports at run time (type-only imports are erased), static and lazy alike. */
function importedPackages(): Set<string> {
  const result = buildSync({
    entryPoints: ENTRY_POINTS.map((e) => join(REPO, e)),
    absWorkingDir: REPO,
    bundle: true,
    platform: "node",
    packages: "external",
    write: false,
    outdir: join(REPO, "dist-scan"),
    metafile: true,
    logLevel: "silent",
    tsconfig: join(REPO, "tsconfig.json"),
  });
  const packages = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || isBuiltin(path)) continue;
      const parts = path.split("/");
      packages.add(path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return packages;
}

describe("package.json: honest dependencies", function () {
  this.timeout(60_000);
  const imported = importedPackages();

  it("declares every package the CLI, the library entries and the policy pack import, as a run-time dependency", () => {
    const undeclared = [...imported].filter((p) => !(p in manifest.dependencies) && !SOURCE_ONLY.includes(p)).sort();
    assert.deepEqual(undeclared, [], "imported at run time but not in dependencies");
    assert.ok(imported.has("@pulumi/pulumi") && imported.has("@aws-sdk/client-kms"), "the scan sees the imports");
  });

  it("locks no version its registry marks deprecated (npm ci would warn, and a deprecated @pulumi/command 4.5.0 names a provider plugin pulumi-command never released)", () => {
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; deprecated?: string }> };
    const deprecated = Object.entries(lock.packages).filter(([, p]) => p.deprecated).map(([path, p]) => `${path.replace(/^node_modules\//, "")}@${p.version}: ${p.deprecated}`);
    assert.deepEqual(deprecated, []);
  });

  it("lists no dependency that nothing imports; build-time tools and the Lambda-only SDK clients are devDependencies", () => {
    assert.deepEqual(Object.keys(manifest.dependencies).filter((d) => !imported.has(d)).sort(), []);
    for (const tool of ["esbuild", "typescript", "ts-node", "mocha"]) assert.ok(tool in manifest.devDependencies, tool);
  });
});

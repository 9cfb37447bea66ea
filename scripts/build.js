#!/usr/bin/env node
// Builds the package (npm run build; npm ci and npm pack run it through `prepare`):
//   dist/                  tsc: .js, .d.ts and source maps of everything the entry points reach
//                          (tsconfig.build.json), plus the non-TypeScript files beside them;
//   dist/lambda/<fn>/      each functions/<fn>/index.ts bundled for Lambda (components/lambda-bundle.ts);
//   dist/cli/commands.json every command's flags and help, so `edge-mtls --help` loads no command;
//   dist/esm/              ES module entry points of package.json's `exports`;
//   policies/dist/         the edge-mtls-guard pack bundled into one file: it imports only the
//                          packages policies/package.json lists, nothing outside its folder.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const PACK = path.join(ROOT, "policies");

/** Runs tsc on tsconfig.build.json; a type error fails the build with tsc's own report. */
function compile() {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
}

/** Copies the files tsc does not (the Connection Function's JavaScript, the rehearsal's site) beside the compiled ones. */
function copyAssets() {
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (!file.endsWith(".ts")) fs.cpSync(path.join(ROOT, file), path.join(DIST, file));
    }
  };
  for (const entry of fs.readdirSync(DIST, { withFileTypes: true })) if (entry.isDirectory()) walk(entry.name);
}

/** One bundle per Lambda function, made by the same code that bundles them when running from the sources. */
function bundleLambdas() {
  const { buildLambdaCode, lambdaFunctionNames, PREBUILT_LAMBDA_DIR } = require(path.join(DIST, "components", "lambda-bundle.js"));
  const names = lambdaFunctionNames();
  for (const name of names) {
    fs.mkdirSync(path.join(PREBUILT_LAMBDA_DIR, name), { recursive: true });
    fs.writeFileSync(path.join(PREBUILT_LAMBDA_DIR, name, "index.js"), buildLambdaCode(name));
  }
  return names;
}

/** The commands' specs, in the binary's order, from the compiled command modules themselves. */
async function writeCommandManifest() {
  const { loadCommands, COMMAND_MANIFEST } = require(path.join(DIST, "cli", "main.js"));
  const { specOf } = require(path.join(DIST, "cli", "command.js"));
  const specs = (await loadCommands()).map(specOf);
  fs.writeFileSync(path.join(DIST, "cli", COMMAND_MANIFEST), JSON.stringify(specs, null, 1) + "\n");
  return specs.length;
}

/** The policy pack as one file; its only outside imports are its package.json dependencies (checked). */
function bundlePolicyPack() {
  const pack = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
  const external = Object.keys(pack.dependencies ?? {});
  const result = require("esbuild").buildSync({
    entryPoints: [path.join(PACK, "index.ts")],
    outfile: path.join(PACK, pack.main),
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    tsconfig: path.join(ROOT, "tsconfig.json"),
  });
  const imported = new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
  const undeclared = [...imported].filter((p) => !p.startsWith("node:") && !require("node:module").isBuiltin(p) && !external.some((d) => p === d || p.startsWith(`${d}/`)));
  if (undeclared.length > 0) throw new Error(`the policy pack imports ${undeclared.join(", ")}, which policies/package.json does not list`);
}

/** dist/esm/<name>.mjs (+ .d.mts) for each `exports` entry with an `import` condition: the CommonJS module's named exports. */
function writeEsmEntries() {
  const { exports } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  let count = 0;
  for (const conditions of Object.values(exports)) {
    if (typeof conditions !== "object" || !conditions.import || !conditions.require) continue;
    const esm = path.join(ROOT, conditions.import.default);
    const relative = (target) => {
      const link = path.relative(path.dirname(esm), path.join(ROOT, target)).split(path.sep).join("/");
      return link.startsWith(".") ? link : `./${link}`;
    };
    fs.mkdirSync(path.dirname(esm), { recursive: true });
    fs.writeFileSync(esm, `export * from ${JSON.stringify(relative(conditions.require.default))};\n`);
    fs.writeFileSync(path.join(ROOT, conditions.import.types), `export * from ${JSON.stringify(relative(conditions.require.default))};\n`);
    count++;
  }
  return count;
}

async function build() {
  const started = Date.now();
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.rmSync(path.join(PACK, "dist"), { recursive: true, force: true });
  compile();
  copyAssets();
  const lambdas = bundleLambdas();
  const commands = await writeCommandManifest();
  bundlePolicyPack();
  const entries = writeEsmEntries();
  // stderr: `npm pack --json` prints its JSON on stdout.
  process.stderr.write(`edge-mtls: built dist/ (${lambdas.length} Lambda bundles, ${commands} commands, ${entries} ES module entries) and policies/dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

build().catch((error) => {
  process.stderr.write(`edge-mtls: build failed: ${error.message}\n`);
  process.exitCode = 1;
});

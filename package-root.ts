import { basename, dirname } from "node:path";

/**
 * The package's root directory (where package.json, bin/ and policies/ are), whether this code
 * runs from the TypeScript sources (the repository, tests, Pulumi's TypeScript runtime) or compiled
 * under `dist/` (the installed package).
 */
export const PACKAGE_ROOT = basename(__dirname) === "dist" ? dirname(__dirname) : __dirname;

/** True when running the compiled JavaScript under `dist/` rather than the TypeScript sources. */
export const RUNNING_COMPILED = basename(__dirname) === "dist";

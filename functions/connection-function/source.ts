import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The viewer-revocation Connection Function's JavaScript (cloudfront-js-2.0), exactly as deployed. */
export function connectionFunctionSource(): string {
  return readFileSync(join(__dirname, "index.js"), "utf8");
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type { EngineResource } from "./evaluate";

/** Unusable input to the checker (missing file, not JSON, not a stack export): exit code 2. */
export class InputError extends Error {}

/** The resources of a `pulumi stack export` file, as the engine would show them to policies. */
export function resourcesFromExport(path: string): EngineResource[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not JSON; give the output of 'pulumi stack export'`);
  }
  const resources = parsed?.deployment?.resources;
  if (!Array.isArray(resources)) throw new InputError(`${path} is not a stack export: it has no deployment.resources list ('pulumi stack export --file ${path}' makes one)`);
  const byUrn = new Map<string, any>(resources.map((r: any) => [r.urn, r]));
  return resources
    .filter((r: any) => typeof r?.type === "string" && !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:Stack")
    .map((r: any) => {
      const providerUrn = typeof r.provider === "string" ? r.provider.split("::").slice(0, -1).join("::") : undefined;
      const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
      return {
        type: r.type,
        name: String(r.urn).split("::").pop()!,
        urn: r.urn,
        // Inputs win: they are what the program asked for; outputs add ids, ARNs, computed names.
        props: { ...(r.outputs ?? {}), ...(r.inputs ?? {}) },
        provider: provider ? { type: provider.type, name: String(provider.urn).split("::").pop()!, urn: provider.urn, props: { ...(provider.outputs ?? {}), ...(provider.inputs ?? {}) } } : undefined,
      };
    });
}

/** The committed example config of a stack (`Pulumi.<stack>.yaml`), as `setAllConfig` wants it: strings, objects as JSON. */
export function exampleConfig(repoRoot: string, stack: string): Record<string, string> {
  const file = join(repoRoot, `Pulumi.${stack}.yaml`);
  const parsed = load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(parsed.config ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

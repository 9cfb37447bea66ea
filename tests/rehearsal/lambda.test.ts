import { strict as assert } from "node:assert";
import type { DeclaredFunction } from "../../rehearsal/declared";
import { loadLambda } from "../../rehearsal/lambda";

/** A function as its resource declares it, with code that reports what Lambda handed it. */
const declared = (overrides: Partial<DeclaredFunction>): DeclaredFunction => ({
  name: "edge-mtls-dev-probe",
  code: "exports.main = async () => ({ memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, runtime: process.env.AWS_EXECUTION_ENV, mine: process.env.MINE });\nexports.handler = async () => 'the default export';",
  environment: { MINE: "from the resource" },
  statements: [],
  handler: "index.main",
  runtime: "nodejs22.x",
  memorySize: 1024,
  ...overrides,
});

describe("rehearsal: Lambda functions run as their resources declare them", () => {
  it("calls the export the handler setting names, with the declared memory size, runtime and environment", async () => {
    const answer = await loadLambda(declared({}), new Map(), () => undefined)({});
    assert.deepEqual(answer, { memory: "1024", runtime: "AWS_Lambda_nodejs22.x", mine: "from the resource" });
  });

  it("a handler setting the code does not export is Lambda's Runtime.HandlerNotFound", () => {
    assert.throws(() => loadLambda(declared({ handler: "index.missing" }), new Map(), () => undefined), /edge-mtls-dev-probe: Runtime\.HandlerNotFound: index\.missing is undefined or not exported/);
  });
});

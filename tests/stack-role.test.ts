import { strict as assert } from "node:assert";
import { parseStackRole } from "../stack-role";

describe("index: stack role", () => {
  it("accepts ca and workload", () => {
    assert.equal(parseStackRole("ca"), "ca");
    assert.equal(parseStackRole("workload"), "workload");
  });

  it("explains what to set when the role is missing or wrong", () => {
    assert.throws(() => parseStackRole(undefined), /pulumi config set edge-mtls:role ca/);
    assert.throws(() => parseStackRole("Workload"), /"Workload"; it must be one of ca, workload/);
  });
});

import { strict as assert } from "node:assert";
import { exampleConfig, StackFileInvalid } from "../../policies/sources";
import { put, tempDir } from "../support/tools";

describe("committed stack files: read, or refused with the file and the position", () => {
  const work = tempDir();
  after(work.cleanup);

  it("reads config values (objects as JSON)", () => {
    put(work.dir, "Pulumi.workload-ok.yaml", "config:\n  edge-mtls:edgeDomain: www.example.com\n  edge-mtls:originCertificate:\n    commonName: CloudFront\n");
    assert.deepEqual(exampleConfig(work.dir, "workload-ok"), { "edge-mtls:edgeDomain": "www.example.com", "edge-mtls:originCertificate": '{"commonName":"CloudFront"}' });
  });

  it("a YAML error names the file, the line and column, and the reason: STACK_FILE_INVALID, never a crash", () => {
    put(work.dir, "Pulumi.workload-bad.yaml", "config:\n  edge-mtls:edgeDomain: [unclosed\n");
    assert.throws(() => exampleConfig(work.dir, "workload-bad"), (e: unknown) => e instanceof StackFileInvalid && e.code === "STACK_FILE_INVALID" && /Pulumi\.workload-bad\.yaml cannot be read: line 3, column 1: unexpected end of the stream within a flow collection$/.test(e.message));
  });

  it("a file that is not a stack file's shape (a list, a scalar config, empty config is fine)", () => {
    put(work.dir, "Pulumi.workload-list.yaml", "- config\n");
    put(work.dir, "Pulumi.workload-scalar.yaml", "config: dev\n");
    put(work.dir, "Pulumi.workload-empty.yaml", "");
    assert.throws(() => exampleConfig(work.dir, "workload-list"), /Pulumi\.workload-list\.yaml is not a stack file: it must be a mapping whose config: is a mapping/);
    assert.throws(() => exampleConfig(work.dir, "workload-scalar"), StackFileInvalid);
    assert.deepEqual(exampleConfig(work.dir, "workload-empty"), {});
  });
});

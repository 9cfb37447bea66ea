import { strict as assert } from "node:assert";
import { originVersionRange, viewerMinimumVersion } from "../../rehearsal/cloudfront";

describe("rehearsal: the edge's TLS versions come from the distribution", () => {
  it("a viewer security policy's minimum version", () => {
    assert.equal(viewerMinimumVersion("TLSv1.2_2021"), "TLSv1.2");
    assert.equal(viewerMinimumVersion("TLSv1.3_2025"), "TLSv1.3");
    assert.equal(viewerMinimumVersion("TLSv1.1_2016"), "TLSv1.1");
    assert.equal(viewerMinimumVersion("TLSv1"), "TLSv1");
  });

  it("an origin's originSslProtocols: from the lowest listed to the highest", () => {
    assert.deepEqual(originVersionRange(["TLSv1.2"]), { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
    assert.deepEqual(originVersionRange(["TLSv1", "TLSv1.1", "TLSv1.2"]), { minVersion: "TLSv1", maxVersion: "TLSv1.2" });
    assert.deepEqual(originVersionRange(["TLSv1.1"]), { minVersion: "TLSv1.1", maxVersion: "TLSv1.1" });
  });
});

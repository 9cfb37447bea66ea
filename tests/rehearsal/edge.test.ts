import { strict as assert } from "node:assert";
import { originRequestHeaders, originVersionRange, viewerMinimumVersion } from "../../rehearsal/cloudfront";
import type { DeclaredBehaviour, DeclaredOrigin } from "../../rehearsal/declared";

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

describe("rehearsal: the headers an origin request carries", () => {
  const origin: DeclaredOrigin = { id: "api", domainName: "api.example.com", customHeaders: [{ name: "X-Origin-Verify", value: "secret" }] };
  const viewer = { host: "www.example.com", authorization: "Bearer viewer-token", "content-type": "application/json", cookie: "a=b", "cloudfront-viewer-cert-subject": "CN=forged" };
  const cloudFront = { "CloudFront-Viewer-Cert-Subject": "CN=My Test Certificate" };
  const behaviour = (headers: DeclaredBehaviour["headers"]): DeclaredBehaviour => ({ pathPattern: "/api*", allowedMethods: ["POST"], targetOriginId: "api", headers });

  it("all-viewer policies forward the viewer's headers but never Authorization (only a cache policy can)", () => {
    for (const forwarding of [{ behavior: "allViewer", names: [] }, { behavior: "allExcept", names: ["Host"] }, { behavior: "whitelist", names: ["Authorization", "Content-Type"] }] as const) {
      const sent = originRequestHeaders(behaviour(forwarding), origin, viewer, cloudFront);
      assert.equal(sent.authorization, undefined, forwarding.behavior);
      assert.equal(sent["content-type"], "application/json");
      assert.equal(sent.host, "api.example.com");
      assert.equal(sent["X-Origin-Verify"], "secret");
      assert.notEqual(sent["cloudfront-viewer-cert-subject"], "CN=forged");
    }
  });

  it("a whitelist forwards only what it lists, CloudFront's viewer-certificate headers included", () => {
    const sent = originRequestHeaders(behaviour({ behavior: "whitelist", names: ["CloudFront-Viewer-Cert-Subject"] }), origin, viewer, cloudFront);
    assert.deepEqual(sent, { "CloudFront-Viewer-Cert-Subject": "CN=My Test Certificate", "X-Origin-Verify": "secret", host: "api.example.com" });
  });
});

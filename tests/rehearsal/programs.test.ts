import { strict as assert } from "node:assert";
import { createPrivateKey } from "node:crypto";
import { connect } from "node:tls";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeError, formatError } from "../../cli/command";
import type { RecordedResource } from "../../offline/pulumi-mocks";
import { CheckResult } from "../../rehearsal/checks";
import { httpsRequest } from "../../rehearsal/https-client";
import { RehearsalOptions, startRehearsal } from "../../rehearsal/run";
import { RehearsalDeploymentRefused } from "../../rehearsal/stacks";
import { tempDir } from "../support/tools";

const ORIGIN_CERTIFICATE = { commonName: "CloudFront", organizationalUnit: "CloudFront", lifetimeDays: 90, renewBeforeDays: 30, keyAlgorithm: "ECDSA" };

/** The one recorded resource of a type (the test edits it as a program change would). */
function declared(workload: RecordedResource[], type: string): RecordedResource {
  const found = workload.filter((r) => r.type === type);
  assert.equal(found.length, 1, type);
  return found[0]!;
}

describe("rehearsal: the stand-ins run what the programs declare (mutations AWS would punish)", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);
  let runs = 0;

  /** Runs both programs with `options`, the how-to's seven checks, and returns the failed ones with the stand-ins' log. */
  const rehearse = async (options: Partial<RehearsalOptions>) => {
    const log: string[] = [];
    const rehearsal = await startRehearsal({ dir: join(work.dir, `run-${++runs}`), edgePort: 0, originPort: 0, log: (line) => log.push(line), ...options });
    try {
      const results = await rehearsal.check();
      assert.equal(results.length, 7);
      return { failed: results.filter((r) => !r.pass).map((r: CheckResult) => [r.name, r.observed]), log, rehearsal };
    } finally {
      await rehearsal.close();
    }
  };
  const refusal = async (options: Partial<RehearsalOptions>): Promise<string> => {
    const error = await startRehearsal({ dir: join(work.dir, `run-${++runs}`), edgePort: 0, originPort: 0, ...options }).then(
      async (started) => {
        await started.close();
        assert.fail("the rehearsal started");
      },
      (e: unknown) => e,
    );
    assert.ok(error instanceof RehearsalDeploymentRefused, String(error));
    const line = formatError(describeError(error));
    assert.equal(line.split("\n").filter(Boolean).length, 1, line);
    assert.doesNotMatch(line, /\bat .*\.ts:\d+/);
    return line;
  };

  it("an authorizer identity source CloudFront does not send: the AWS rules stop the rehearsal; one the request lacks is a 401 without calling the authorizer", async () => {
    const authorizer = (w: RecordedResource[]) => declared(w, "aws:apigateway/authorizer:Authorizer").inputs;
    const line = await refusal({ mutate: (w) => void (authorizer(w).identitySource = "method.request.header.Authorization") });
    assert.match(line, /would not deploy: aws:apigateway\/authorizer:Authorizer api-request-authorizer: .*method\.request\.header\.Authorization .*\[aws-rule apigateway-authorizer-identity-sent-by-cloudfront;/);
    // A query-string source CloudFront forwards but the how-to's POST /api does not carry: API Gateway's 401, the function never runs.
    const { failed, log } = await rehearse({ mutate: (w) => void (authorizer(w).identitySource = "method.request.querystring.token") });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 401"], ["API access log of that request", "no log line for the request"]]);
    assert.ok(log.includes("origin authorizer cloudfront-origin not called: identity source method.request.querystring.token missing or empty"), log.join("\n"));
    assert.ok(!log.some((l) => /authorizer\.decision/.test(l)), "the authorizer function never ran");
  });

  it("a viewer-certificate header the backend reads dropped from the origin request policy: the API cannot name the user", async () => {
    const { failed } = await rehearse({
      mutate: (w) => {
        const headers = declared(w, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy").inputs.headersConfig.headers;
        headers.items = headers.items.filter((h: string) => h !== "CloudFront-Viewer-Cert-Subject");
      },
    });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 200"]]);
  });

  it("an authorizer allow-list that no longer matches CloudFront's certificate: the config stops the rehearsal; the same list in the function's environment denies the edge", async () => {
    const line = await refusal({ stacks: { workload: { "edge-mtls:allowedOriginSubjects": JSON.stringify([{ commonName: "CloudFront", organizationalUnit: "Edge" }]) } } });
    assert.match(line, /^edge-mtls: error DEPLOYMENT_REFUSED: stack workload-dev would not deploy: config edge-mtls:allowedOriginSubjects does not include the origin certificate's CN=CloudFront, OU=CloudFront/);
    // Past the config check (a program that wrote the list itself): the authorizer runs with the environment its Function resource declares.
    const { failed, log } = await rehearse({
      mutate: (w) => {
        const authorizer = w.find((r) => r.type === "aws:lambda/function:Function" && /-api-authorizer$/.test(r.inputs.name))!;
        authorizer.inputs.environment.variables.ALLOWED_SUBJECTS = JSON.stringify([{ commonName: "CloudFront", organizationalUnit: "Edge" }]);
      },
    });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 403"], ["API access log of that request", "no log line for the request"]]);
    assert.ok(log.some((l) => /authorizer\.decision.*"allow":false/.test(l) && /CN=CloudFront,OU=CloudFront/.test(l)), log.join("\n"));
  });

  it("a behaviour that no longer allows POST: CloudFront answers 403 and the API never sees the call", async () => {
    const { failed, log } = await rehearse({
      mutate: (w) => void (declared(w, "aws:cloudfront/distribution:Distribution").inputs.orderedCacheBehaviors[0].allowedMethods = ["GET", "HEAD", "OPTIONS"]),
    });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 403"], ["API access log of that request", "no log line for the request"]]);
    assert.ok(log.includes("edge behaviour /api* does not allow POST"));
  });

  it("a CA name policy that refuses the origin certificate stops the rehearsal with one line naming the stack, the resource and the reason", async () => {
    const line = await refusal({ stacks: { workload: { "edge-mtls:originCertificate": JSON.stringify({ ...ORIGIN_CERTIFICATE, commonName: "Edge Proxy" }) } } });
    assert.match(line, /^edge-mtls: error DEPLOYMENT_REFUSED: stack workload-dev would not deploy: /);
    // The program's own error names the resource it broke (type and logical name), what it was computing, and ca-issuer's reason.
    assert.match(line, /would not deploy: aws:acm\/certificate:Certificate origin-client-acm \(computing certificateBody\): ca-issuer refused the origin client certificate: SUBJECT_CN_NOT_ALLOWED \(subject\.commonName\): CN "Edge Proxy" is not allowed for client_auth/);
    assert.doesNotMatch(line, /error serializing property/);
  });

  it("a mutation AWS would refuse is judged by AWS's rules as registration would: the rehearsal stops with the AWS error line", async () => {
    const line = await refusal({
      mutate: (w) => {
        const api = declared(w, "aws:cloudfront/distribution:Distribution").inputs.origins.find((o: { originId: string }) => o.originId === "api");
        api.customHeaders[0].name = "X-Amz-Origin-Proof";
      },
    });
    assert.match(line, /^edge-mtls: error DEPLOYMENT_REFUSED: stack workload-dev would not deploy: aws:cloudfront\/distribution:Distribution edge-distribution: InvalidArgument .*X-Amz-Origin-Proof.*\[aws-rule /);
  });

  it("a header name CloudFront refuses stops the rehearsal with one line, before any stand-in starts", async () => {
    const line = await refusal({ stacks: { workload: { "edge-mtls:secretHeaderName": "X-Amz-Origin-Proof" } } });
    assert.match(line, /^edge-mtls: error DEPLOYMENT_REFUSED: stack workload-dev would not deploy: .*X-Amz-Origin-Proof/);
  });

  it("a bucket policy that names another distribution: S3 refuses CloudFront's OAC request and the site is gone", async () => {
    const { failed, log } = await rehearse({
      mutate: (w) => {
        const policy = w.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && /CloudFrontReadsThroughOac/.test(r.inputs.policy))!;
        policy.inputs.policy = policy.inputs.policy.replace(/distribution\/[^"]+/, "distribution/EOTHERDISTRIBUTION");
      },
    });
    assert.deepEqual(failed, [["user certificate, GET /", "HTTP 403"]]);
    assert.ok(log.some((l) => /edge s3 origin s3-site: GetObject index\.html: AccessDenied \(the bucket policy/.test(l)), log.join("\n"));
  });

  it("an authorizer role that may not read the CA's CRL: revocation status is unknown and the authorizer fails closed", async () => {
    const { failed, log } = await rehearse({
      mutate: (w) => {
        const policy = w.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "api-authorizer-policy")!;
        const document = JSON.parse(policy.inputs.policy);
        document.Statement = document.Statement.filter((s: { Sid?: string }) => s.Sid !== "ReadCaCrl");
        policy.inputs.policy = JSON.stringify(document);
      },
    });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 403"], ["API access log of that request", "no log line for the request"]]);
    assert.ok(log.some((l) => /edge-mtls-dev-api-authorizer s3 s3:GetObject .*issuing-ca\.crl: AccessDenied/.test(l)), log.join("\n"));
  });

  it("the authorizer's result TTL is honoured: every call judged as declared (0), one call per identity with a TTL", async () => {
    const decisions = async (ttl: number | undefined) => {
      const log: string[] = [];
      const rehearsal = await startRehearsal({
        dir: join(work.dir, `run-${++runs}`),
        edgePort: 0,
        originPort: 0,
        log: (line) => log.push(line),
        mutate: ttl === undefined ? undefined : (w) => void (declared(w, "aws:apigateway/authorizer:Authorizer").inputs.authorizerResultTtlInSeconds = ttl),
      });
      try {
        const user = rehearsal.pki.certificates.user;
        for (let i = 0; i < 3; i++) {
          const outcome = await httpsRequest({ url: `https://127.0.0.1:${rehearsal.edge.port}/api`, method: "POST", body: "{}", cert: user.pem + user.chainPem, key: user.keyPem, ca: rehearsal.pki.serverCaPem, servername: "localhost" });
          assert.equal("status" in outcome && outcome.status, 200, JSON.stringify(outcome));
        }
      } finally {
        await rehearsal.close();
      }
      return log.filter((l) => /authorizer\.decision.*"allow":true/.test(l)).length;
    };
    assert.equal(await decisions(undefined), 3, "the program declares no caching");
    assert.equal(await decisions(300), 1);
  });

  it("the viewer security policy is the distribution's: TLSv1.3_2025 refuses a TLS 1.2 viewer, the checks (TLS 1.3) still pass", async () => {
    const rehearsal = await startRehearsal({ dir: join(work.dir, `run-${++runs}`), edgePort: 0, originPort: 0, mutate: (w) => void (declared(w, "aws:cloudfront/distribution:Distribution").inputs.viewerCertificate.minimumProtocolVersion = "TLSv1.3_2025") });
    const user = rehearsal.pki.certificates.user;
    const handshake = (maxVersion: "TLSv1.2" | "TLSv1.3") =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: rehearsal.edge.port, servername: "localhost", ca: rehearsal.pki.serverCaPem, cert: user.pem + user.chainPem, key: user.keyPem, maxVersion });
        socket.once("secureConnect", () => (resolve(String(socket.getProtocol())), socket.destroy()));
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    try {
      assert.deepEqual((await rehearsal.check()).filter((r) => !r.pass), []);
      assert.equal(await handshake("TLSv1.3"), "TLSv1.3");
      assert.match(await handshake("TLSv1.2"), /PROTOCOL_VERSION|alert/i);
    } finally {
      await rehearsal.close();
    }
  });

  it("the access-log check reads the stage's declared format: renamed keys still pass, a format that is not JSON stops the rehearsal", async () => {
    const stage = (w: RecordedResource[]) => declared(w, "aws:apigateway/stage:Stage").inputs.accessLogSettings;
    const { failed, rehearsal } = await rehearse({
      mutate: (w) => void (stage(w).format = stage(w).format.replace('"certSubjectDN"', '"clientSubject"').replace('"requestId"', '"id"').replace('"certSerialNumber"', '"clientSerial"')),
    });
    assert.deepEqual(failed, []);
    const logged = readFileSync(rehearsal.accessLogPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(logged.length > 0 && logged.every((r) => "clientSubject" in r && "id" in r && !("certSubjectDN" in r)));
    const stopped = await startRehearsal({ dir: join(work.dir, `run-${++runs}`), edgePort: 0, originPort: 0, mutate: (w) => void (stage(w).format = "$context.requestId $context.identity.clientCert.subjectDN") }).then(
      async (started) => (await started.close(), "started"),
      (e: Error) => e.message,
    );
    assert.match(stopped, /^the stage's access log format is not one JSON object/);
  });

  it("the API origin's declared port and protocol: CloudFront reaches API Gateway only over HTTPS on 443", async () => {
    const apiOrigin = (w: RecordedResource[]) => declared(w, "aws:cloudfront/distribution:Distribution").inputs.origins.find((o: { originId: string }) => o.originId === "api").customOriginConfig;
    const { failed, log } = await rehearse({ mutate: (w) => void (apiOrigin(w).httpsPort = 8443) });
    assert.deepEqual(failed, [["user certificate, POST /api", "HTTP 502"], ["API access log of that request", "no log line for the request"]]);
    assert.ok(log.includes("edge origin api: nothing answers https://api.example.com:8443"), log.join("\n"));
    // Plain HTTP to the origin: AWS refuses it with origin mTLS before anything runs.
    assert.match(await refusal({ mutate: (w) => void (apiOrigin(w).originProtocolPolicy = "http-only") }), /edge-distribution: InvalidArgument .*originProtocolPolicy http-only; it needs https-only/);
  });

  it("valid changes still pass: an RSA origin certificate, another secret header name", async () => {
    const { failed, rehearsal } = await rehearse({
      stacks: { workload: { "edge-mtls:originCertificate": JSON.stringify({ ...ORIGIN_CERTIFICATE, keyAlgorithm: "RSA" }), "edge-mtls:secretHeaderName": "X-Origin-Token" } },
    });
    assert.deepEqual(failed, []);
    // What ran is what was declared: the RSA key of the ACM import, the new header on the origin and as the identity source.
    assert.equal(createPrivateKey(rehearsal.originCertificate.current().keyPem).asymmetricKeyType, "rsa");
    assert.equal(rehearsal.secretHeaderName, "X-Origin-Token");
    assert.deepEqual(rehearsal.declared.api.routes.map((r) => r.authorizer?.identitySources), [["method.request.header.X-Origin-Token"], ["method.request.header.X-Origin-Token"]]);
  });
});

import { randomUUID } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { createServer, Server } from "node:https";
import { AddressInfo } from "node:net";
import { TLSSocket } from "node:tls";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { cachedCrl, handle as authorize } from "../functions/api-authorizer";
import { formatAwsRequestTime } from "../functions/api-authorizer/aws-format";
import { handle as backend } from "../functions/api-backend";
import { ACCESS_LOG_FIELDS } from "../components/edge-rules";
import type { RehearsalPki } from "./certificates";
import { apiGatewayClientCert, authorizerEvent } from "./aws-events";

/** How the origin is set up. */
export interface OriginOptions {
  readonly pki: RehearsalPki;
  readonly port: number;
  readonly secretHeaderName: string;
  readonly secretValue: string;
  readonly accessLogPath: string;
  readonly log: (line: string) => void;
  /** A deliberately broken origin whose authorizer allows everyone (to prove `verify` catches a bypass). */
  readonly allowEveryone?: boolean;
}

/** A running listener. */
export interface Listener {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a listener on 127.0.0.1 and resolves once it listens; EADDRINUSE and friends are reported clearly. */
export function listen(server: Server, port: number, what: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "EADDRINUSE" ? `the ${what} port ${port} is already in use; pick another with --${what}-port, or 0 for any free port` : `the ${what} listener could not start: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({ server, port: actual, close: () => new Promise<void>((done) => { server.closeAllConnections?.(); server.close(() => done()); }) });
    });
  });
}

/**
 * The stand-in for the API Gateway custom domain: TLS that demands a client certificate chained to
 * the trust bundle (API Gateway's mutualTlsAuthentication), then — exactly as API Gateway does for
 * a REST API — the REQUEST authorizer event with `requestContext.identity.clientCert`, the real
 * api-authorizer (with the CA's CRL, verified), and on Allow the real api-backend. One access-log
 * JSON line per request, with the how-to's fields.
 */
export async function startOrigin(options: OriginOptions): Promise<Listener> {
  const { pki } = options;
  const clock = () => new Date();
  const authorizerDeps = {
    policy: { allowedSubjects: [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }], secretHeaderName: options.secretHeaderName, secretValues: [options.secretValue], issuingCaPem: pki.issuingCaPem },
    revocation: cachedCrl(async () => new Uint8Array(readFileSync(pki.crlPath)), pki.issuingCaPem, 300_000, clock),
    clock,
    log: { info: (event: string, fields?: object) => options.log(`origin ${event} ${JSON.stringify(fields)}`), error: () => undefined, metric: () => undefined },
  };
  const server = createServer(
    { key: pki.certificates.originServer.keyPem, cert: pki.certificates.originServer.pem + pki.certificates.originServer.chainPem, ca: pki.bundlePem, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const started = clock();
        const requestId = randomUUID();
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const clientCert = apiGatewayClientCert(new Uint8Array(peer.raw));
        const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : Array.isArray(v) ? [[k, v.join(",")]] : [])));
        const path = (req.url ?? "/").split("?")[0]!;
        let status = 403;
        let body = JSON.stringify({ message: "Missing Authentication Token" });
        let errorMessage = "Missing Authentication Token";
        let errorResponseType = "MISSING_AUTHENTICATION_TOKEN";
        let integrationStatus = "-";
        if ((path === "/api" && req.method === "POST") || path.startsWith("/api/")) {
          const decision = await authorize(authorizerEvent(new Uint8Array(peer.raw), headers, { method: req.method, path, requestId, sourceIp: req.socket.remoteAddress }), authorizerDeps);
          if (decision.policyDocument.Statement[0]!.Effect !== "Allow" && !options.allowEveryone) {
            body = JSON.stringify({ Message: "User is not authorized to access this resource with an explicit deny" });
            errorMessage = "User is not authorized to access this resource with an explicit deny";
            errorResponseType = "ACCESS_DENIED";
          } else {
            const event = {
              httpMethod: req.method,
              path,
              resource: path === "/api" ? "/api" : "/api/{proxy+}",
              headers,
              body: chunks.length ? Buffer.concat(chunks).toString("utf8") : null,
              isBase64Encoded: false,
              requestContext: { requestId, identity: { sourceIp: req.socket.remoteAddress, clientCert } },
            } as unknown as APIGatewayProxyEvent;
            const result = await backend(event, { clock });
            status = result.statusCode;
            body = result.body;
            errorMessage = "-";
            errorResponseType = "-";
            integrationStatus = String(result.statusCode);
          }
        }
        const record: Record<string, string> = {
          certIssuerDN: clientCert.issuerDN,
          certNotAfter: clientCert.validity.notAfter,
          certNotBefore: clientCert.validity.notBefore,
          certPEM: clientCert.clientCertPem,
          certSerialNumber: clientCert.serialDecimal,
          certSubjectDN: clientCert.subjectDN,
          errorMessage,
          errorResponseType,
          extendedRequestId: requestId.slice(0, 16),
          httpMethod: req.method ?? "-",
          integrationError: "-",
          integrationStatus,
          ip: req.socket.remoteAddress ?? "-",
          protocol: `HTTP/${req.httpVersion}`,
          requestId,
          requestTime: formatAwsRequestTime(started),
          routeKey: "-",
          status: String(status),
        };
        // Same fields as the deployed stage's access log format.
        appendFileSync(options.accessLogPath, JSON.stringify(Object.fromEntries(Object.keys(ACCESS_LOG_FIELDS).map((k) => [k, record[k]]))) + "\n");
        res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": requestId }).end(body);
      });
    },
  );
  return listen(server, options.port, "origin");
}

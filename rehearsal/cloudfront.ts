import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request } from "node:https";
import { extname, join, normalize } from "node:path";
import { TLSSocket } from "node:tls";
import { API_ORIGIN_REQUEST_HEADERS } from "../components/edge-rules";
import { readVerifiedCrl } from "../pki/crl-reader";
import { formatName } from "../pki/names";
import { toPem } from "../pki/pem";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { RehearsalPki } from "./certificates";
import { listen, Listener } from "./api-gateway";
import { loadConnectionFunction } from "./connection-function";

/** How the edge is set up. */
export interface EdgeOptions {
  readonly pki: RehearsalPki;
  readonly port: number;
  readonly originPort: number;
  readonly secretHeaderName: string;
  readonly secretValue: string;
  /** The folder standing in for the S3 origin. */
  readonly siteDir: string;
  readonly log: (line: string) => void;
  /**
   * The client certificate (leaf and chain) and key presented to the origin, read for every origin
   * connection: CloudFront presents the ACM certificate associated with the origin, whatever was
   * last imported under its ARN.
   */
  readonly originCertificate: () => { readonly certPem: string; readonly keyPem: string };
  /** A deliberately weakened edge in CloudFront's `optional` mode: viewers without a certificate get in (to prove `verify` catches it). */
  readonly mtlsOptional?: boolean;
}

const CONTENT_TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json" };

/** The CloudFront-Viewer-Cert-* headers for a viewer certificate, as CloudFront adds them. */
function viewerCertHeaders(der: Uint8Array, peer: { serialNumber: string; fingerprint256: string; valid_from: string; valid_to: string }): Record<string, string> {
  const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
  return {
    "CloudFront-Viewer-Cert-Present": "1",
    "CloudFront-Viewer-Cert-Serial-Number": peer.serialNumber.toLowerCase().match(/../g)!.join(":"),
    "CloudFront-Viewer-Cert-Subject": formatName(tbs.subject),
    "CloudFront-Viewer-Cert-Issuer": formatName(tbs.issuer),
    "CloudFront-Viewer-Cert-Sha256": peer.fingerprint256.replace(/:/g, "").toLowerCase(),
    "CloudFront-Viewer-Cert-Validity": `NotBefore=${new Date(peer.valid_from).toISOString()};NotAfter=${new Date(peer.valid_to).toISOString()}`,
    "CloudFront-Viewer-Cert-Pem": encodeURIComponent(toPem(der, "CERTIFICATE")),
  };
}

/**
 * The stand-in for the CloudFront distribution: viewer mTLS against the trust bundle (mode
 * required); then the real viewer-revocation Connection Function (in a vm, its key value store
 * holding the serials of our verified CRL), which can deny the connection before any request is
 * served; `/api*` forwarded to the origin over mTLS with CloudFront's client certificate, the
 * secret header and the viewer-certificate headers (Host not forwarded, nothing cached), presenting
 * whatever origin certificate is current (a re-import swaps it between two requests);
 * everything else served from the folder standing in for the S3 origin.
 */
export async function startEdge(options: EdgeOptions): Promise<Listener> {
  const { pki } = options;
  const revoked = readVerifiedCrl(pki.crlDer, pki.issuingCaPem, new Date()).revoked;
  const connectionFunction = loadConnectionFunction(async (key) => revoked.has(key), (line) => options.log(`edge connection-function: ${line}`));
  const decisions = new WeakMap<TLSSocket, Promise<"allow" | "deny" | "none">>();
  const server = createServer(
    // Verification is done here (not by rejectUnauthorized) so the refusal reason can be logged.
    { key: pki.certificates.edgeServer.keyPem, cert: pki.certificates.edgeServer.pem + pki.certificates.edgeServer.chainPem, ca: pki.bundlePem, requestCert: true, rejectUnauthorized: false, minVersion: "TLSv1.2" },
    async (req, res) => {
      const socket = req.socket as TLSSocket;
      if ((await decisions.get(socket)) !== "allow") {
        socket.destroy();
        return;
      }
      const path = (req.url ?? "/").split("?")[0]!;
      if (path.startsWith("/api")) {
        const peer = socket.getPeerCertificate();
        const offered: Record<string, string> = { "CloudFront-Viewer-Cert-Present": "0" };
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") offered[name.toLowerCase()] = value;
        if (peer.raw) for (const [name, value] of Object.entries(viewerCertHeaders(new Uint8Array(peer.raw), peer))) offered[name.toLowerCase()] = value;
        // Only what the /api* origin request policy lists reaches the origin.
        const headers: Record<string, string> = {};
        for (const name of API_ORIGIN_REQUEST_HEADERS) if (offered[name.toLowerCase()] !== undefined) headers[name] = offered[name.toLowerCase()]!;
        headers[options.secretHeaderName] = options.secretValue;
        const origin = options.originCertificate();
        const upstream = request(
          { host: "127.0.0.1", port: options.originPort, servername: "localhost", method: req.method, path: req.url, headers, cert: origin.certPem, key: origin.keyPem, ca: pki.bundlePem, agent: false },
          (response) => {
            res.writeHead(response.statusCode ?? 502, { "content-type": response.headers["content-type"] ?? "application/json", "cache-control": "no-store", "x-cache": "Miss from cloudfront" });
            response.pipe(res);
          },
        );
        upstream.on("error", (error) => res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: `origin unreachable: ${error.message}` })));
        req.pipe(upstream);
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(403, { "content-type": "text/plain" }).end("This distribution is not configured to allow the HTTP request method that was used for this request.");
        return;
      }
      const file = normalize(join(options.siteDir, path === "/" ? "index.html" : path));
      if (!file.startsWith(normalize(options.siteDir)) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
        return;
      }
      res.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream", "x-cache": "Hit from cloudfront" });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    },
  );
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    if (options.mtlsOptional && !socket.getPeerCertificate().raw) {
      decisions.set(socket, Promise.resolve("allow"));
      return;
    }
    if (!socket.authorized) {
      options.log(`edge refused a viewer at the trust store: ${socket.authorizationError ?? "no certificate"}`);
      socket.destroy();
      return;
    }
    const leaf = socket.getPeerCertificate();
    const decision = connectionFunction({ clientIp: socket.remoteAddress, clientCertificate: { certificates: { leaf: { serialNumber: leaf.serialNumber.match(/../g)!.join(":"), subject: String(leaf.subject.CN) } } } });
    decisions.set(socket, decision);
    void decision.then((d) => {
      if (d !== "allow") {
        options.log(`edge connection function denied ${leaf.subject.CN} (serial ${leaf.serialNumber})`);
        socket.destroy();
      }
    });
  });
  return listen(server, options.port, "edge");
}

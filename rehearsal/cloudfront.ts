import { createServer, request } from "node:https";
import { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { formatName } from "../pki/names";
import { toPem } from "../pki/pem";
import type { RehearsalCertificate } from "./certificates";
import { allows, DeclaredBehaviour, DeclaredEdge, DeclaredObject, DeclaredOrigin, globPattern, PolicyStatement } from "./declared";
import { listen, Listener } from "./listener";
import type { ConnectionDecision, ConnectionEvent } from "./connection-function";

/** How the edge is set up: the distribution as declared, and what the loopback needs besides. */
export interface EdgeOptions {
  readonly edge: DeclaredEdge;
  readonly serverCertificate: RehearsalCertificate;
  readonly port: number;
  /** The loopback port standing for a custom origin's domain name, port and protocol (undefined: nothing answers there). */
  readonly originPort: (domainName: string, port: number, protocol: "https" | "http") => number | undefined;
  /** The CA behind the origins' server certificates (the edge checks them, as CloudFront does). */
  readonly originServerCaPem: string;
  /** The workload program's buckets and their bucket policies (the S3 origin). */
  readonly buckets: ReadonlyMap<string, ReadonlyMap<string, DeclaredObject>>;
  readonly bucketPolicies: ReadonlyMap<string, readonly PolicyStatement[]>;
  /** The distribution's Connection Function, loaded with its KeyValueStore (none: every verified viewer is let in). */
  readonly connectionFunction?: (connection: ConnectionEvent) => Promise<ConnectionDecision>;
  /**
   * The client certificate (leaf and chain) and key presented to the origin, read for every origin
   * connection: CloudFront presents whatever was last imported under the origin's ACM ARN.
   */
  readonly originCertificate: () => { readonly certPem: string; readonly keyPem: string } | undefined;
  readonly log: (line: string) => void;
}

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

/** The first behaviour whose path pattern matches (CloudFront's order: ordered behaviours, then the default). */
export function matchBehaviour(behaviours: readonly DeclaredBehaviour[], path: string): DeclaredBehaviour {
  return behaviours.find((b) => b.pathPattern === "*" || globPattern(b.pathPattern).test(path)) ?? behaviours[behaviours.length - 1]!;
}

/**
 * The headers an origin request carries from the viewer's: what the behaviour's origin request
 * policy forwards (viewer headers, and the CloudFront-Viewer-* headers only when listed by name),
 * nothing else (Authorization, cookies and the rest are dropped), then the origin's custom headers.
 */
export function originRequestHeaders(behaviour: DeclaredBehaviour, origin: DeclaredOrigin, viewer: Readonly<Record<string, string>>, cloudFront: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  const forwarding = behaviour.headers;
  if (forwarding.behavior !== "none") {
    const listed = new Set(forwarding.names.map((n) => n.toLowerCase()));
    const allViewer = forwarding.behavior !== "whitelist";
    for (const [name, value] of Object.entries(viewer)) {
      // Host is the origin's; CloudFront-Viewer-* come from CloudFront, never from the viewer. An origin
      // request policy never forwards Authorization (only a cache policy can, as part of the cache key:
      // "How do I configure CloudFront to forward the Authorization header to the origin?",
      // https://repost.aws/knowledge-center/cloudfront-authorization-header); cache policies are not modelled.
      if (name === "host" || name === "authorization" || name.startsWith("cloudfront-viewer-")) continue;
      if (forwarding.behavior === "allExcept" ? !listed.has(name) : allViewer || listed.has(name)) headers[name] = value;
    }
    if (forwarding.behavior !== "allExcept" && forwarding.behavior !== "allViewer") for (const [name, value] of Object.entries(cloudFront)) if (listed.has(name.toLowerCase())) headers[name] = value;
  }
  for (const { name, value } of origin.customHeaders) headers[name] = value;
  headers.host = origin.domainName;
  return headers;
}

type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
const TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** The lowest TLS version a CloudFront viewer security policy accepts (`TLSv1.2_2021` → TLSv1.2; SSLv3, which node cannot speak, as TLSv1). */
export function viewerMinimumVersion(policy: string): TlsVersion {
  const version = policy.split("_")[0] as TlsVersion;
  return TLS_VERSIONS.includes(version) ? version : "TLSv1";
}

/** The TLS versions CloudFront may use towards a custom origin: the lowest and highest of its `originSslProtocols` (SSLv3 as TLSv1). */
export function originVersionRange(protocols: readonly string[]): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const listed = TLS_VERSIONS.filter((v) => protocols.includes(v) || (v === "TLSv1" && protocols.includes("SSLv3")));
  return listed.length === 0 ? { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } : { minVersion: listed[0]!, maxVersion: listed[listed.length - 1]! };
}

const NOT_ALLOWED = "This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.";

/**
 * The stand-in for the CloudFront distribution, configured from the Distribution resource: viewer
 * mTLS in its declared mode against the uploaded trust bundle; then its Connection Function (the
 * resource's own code) deciding the connection; each request goes to the origin of the first
 * cache behaviour whose path pattern matches, if that behaviour allows the method (403 otherwise,
 * as CloudFront answers); a custom origin gets the forwarded and custom headers over origin mTLS
 * with the ACM certificate; the S3 origin is read through OAC, as the bucket policy allows.
 */
export async function startEdge(options: EdgeOptions): Promise<Listener> {
  const { edge } = options;
  const mode = edge.viewerMtlsMode;
  const decisions = new WeakMap<TLSSocket, Promise<ConnectionDecision>>();
  const origins = new Map(edge.origins.map((o) => [o.id, o]));

  const fromS3 = (origin: DeclaredOrigin, path: string, req: IncomingMessage, res: ServerResponse) => {
    const s3 = origin.s3!;
    const key = decodeURIComponent(path === "/" && edge.defaultRootObject ? edge.defaultRootObject : path.slice(1));
    const statements = options.bucketPolicies.get(s3.bucket) ?? [];
    const cloudFrontPrincipal = (s: PolicyStatement) => JSON.stringify(s.Principal ?? "").includes("cloudfront.amazonaws.com") || s.Principal === "*";
    // Without OAC CloudFront's request is anonymous; with it, S3 judges it by the bucket policy.
    const readable = s3.oac !== undefined && allows(statements, "s3:GetObject", `${s3.bucketArn}/${key}`, { "AWS:SourceArn": edge.distributionArn, "aws:SecureTransport": "true" }, cloudFrontPrincipal);
    const object = options.buckets.get(s3.bucket)?.get(key);
    if (!readable || !object) {
      // S3 answers AccessDenied for a missing key too when the reader may not list the bucket.
      options.log(`edge s3 origin ${origin.id}: GetObject ${key}: AccessDenied${readable ? " (no such key)" : " (the bucket policy does not let this distribution read it through OAC)"}`);
      res.writeHead(403, { "content-type": "application/xml" }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    res.writeHead(200, { "content-type": object.contentType ?? "application/octet-stream", "x-cache": "Miss from cloudfront" });
    res.end(req.method === "HEAD" ? undefined : Buffer.from(object.body));
  };

  const toCustom = (origin: DeclaredOrigin, behaviour: DeclaredBehaviour, req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const cloudFront: Record<string, string> = peer.raw ? viewerCertHeaders(new Uint8Array(peer.raw), peer) : { "CloudFront-Viewer-Cert-Present": "0" };
    const viewer = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : Array.isArray(v) ? [[k, v.join(",")]] : [])));
    const headers = originRequestHeaders(behaviour, origin, viewer, cloudFront);
    const custom = origin.custom!;
    // The viewer came over HTTPS: match-viewer and https-only connect with HTTPS, http-only with HTTP (to the declared ports).
    const protocol = custom.protocolPolicy === "http-only" ? "http" : "https";
    const declaredPort = protocol === "http" ? custom.httpPort : custom.httpsPort;
    const port = options.originPort(origin.domainName, declaredPort, protocol);
    const client = custom.clientCertificate ? options.originCertificate() : undefined;
    const protocols = custom.sslProtocols;
    if (port === undefined) {
      options.log(`edge origin ${origin.id}: nothing answers ${protocol}://${origin.domainName}:${declaredPort}`);
      res.writeHead(502, { "content-type": "text/plain" }).end(`CloudFront wasn't able to connect to the origin: nothing answers ${protocol}://${origin.domainName}:${declaredPort}`);
      return;
    }
    const upstream = request(
      {
        host: "127.0.0.1",
        port,
        servername: origin.domainName,
        method: req.method,
        path: req.url,
        headers,
        cert: client?.certPem,
        key: client?.keyPem,
        ca: options.originServerCaPem,
        ...originVersionRange(protocols),
        agent: false,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, { "content-type": response.headers["content-type"] ?? "application/json", "cache-control": "no-store", "x-cache": "Miss from cloudfront" });
        response.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      options.log(`edge origin ${origin.id} (${origin.domainName}): ${error.message}`);
      res.writeHead(502, { "content-type": "text/plain" }).end(`CloudFront wasn't able to connect to the origin: ${error.message}`);
    });
    req.pipe(upstream);
  };

  const server = createServer(
    // Verification is done here (not by rejectUnauthorized) so the refusal reason can be logged.
    { key: options.serverCertificate.keyPem, cert: options.serverCertificate.pem + options.serverCertificate.chainPem, ca: edge.trustBundlePem, requestCert: mode === "required" || mode === "optional", rejectUnauthorized: false, minVersion: viewerMinimumVersion(edge.viewerSecurityPolicy) },
    async (req, res) => {
      if ((await decisions.get(req.socket as TLSSocket)) !== "allow") {
        req.socket.destroy();
        return;
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const behaviour = matchBehaviour(edge.behaviours, path);
      if (!behaviour.allowedMethods.includes(req.method ?? "GET")) {
        options.log(`edge behaviour ${behaviour.pathPattern} does not allow ${req.method}`);
        res.writeHead(403, { "content-type": "text/plain" }).end(NOT_ALLOWED);
        return;
      }
      const origin = origins.get(behaviour.targetOriginId);
      if (!origin) {
        res.writeHead(502, { "content-type": "text/plain" }).end(`behaviour ${behaviour.pathPattern} targets origin ${behaviour.targetOriginId}, which the distribution does not have`);
        return;
      }
      if (origin.s3) fromS3(origin, path, req, res);
      else toCustom(origin, behaviour, req, res);
    },
  );
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    const leaf = socket.getPeerCertificate();
    if (!leaf.raw && mode !== "required") {
      decisions.set(socket, Promise.resolve("allow"));
      return;
    }
    if (!socket.authorized) {
      options.log(`edge refused a viewer at the trust store: ${socket.authorizationError ?? "no certificate"}`);
      socket.destroy();
      return;
    }
    const decision = options.connectionFunction
      ? options.connectionFunction({ clientIp: socket.remoteAddress, clientCertificate: { certificates: { leaf: { serialNumber: leaf.serialNumber.match(/../g)!.join(":"), subject: String(leaf.subject.CN) } } } })
      : Promise.resolve<ConnectionDecision>("allow");
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

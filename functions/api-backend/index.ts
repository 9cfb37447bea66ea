import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { BACKEND_VIEWER_CERT_HEADERS } from "../shared/contract";

function header(event: Pick<APIGatewayProxyEvent, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value ?? undefined;
  return undefined;
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(body) };
}

/**
 * The API behind CloudFront: `POST /api` answers with the request id, the end user's certificate
 * (from the CloudFront-Viewer-Cert-* headers: the connection API Gateway saw is CloudFront's),
 * the time and the JSON body it was sent. A body that is not JSON is a 400 that says so.
 */
export async function handle(event: APIGatewayProxyEvent, deps: { clock: () => Date }): Promise<APIGatewayProxyResult> {
  if (event.httpMethod !== "POST") return json(405, { error: `method ${event.httpMethod} not allowed; use POST` });
  const raw = event.body === null || event.body === undefined ? "" : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  let body: unknown = null;
  if (raw.trim() !== "") {
    try {
      body = JSON.parse(raw);
    } catch (error) {
      return json(400, { error: "the request body is not valid JSON", detail: (error as Error).message, requestId: event.requestContext?.requestId });
    }
  }
  return json(200, {
    requestId: event.requestContext?.requestId,
    viewer: {
      present: header(event, BACKEND_VIEWER_CERT_HEADERS.present) === "1",
      subject: header(event, BACKEND_VIEWER_CERT_HEADERS.subject) ?? null,
      serialNumber: header(event, BACKEND_VIEWER_CERT_HEADERS.serialNumber) ?? null,
      issuer: header(event, BACKEND_VIEWER_CERT_HEADERS.issuer) ?? null,
    },
    originClientSubject: event.requestContext?.identity?.clientCert?.subjectDN ?? null,
    receivedAt: deps.clock().toISOString(),
    echo: body,
  });
}

/** The Lambda entry point. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return handle(event, { clock: () => new Date() });
}

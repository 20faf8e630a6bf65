import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/**
 * awsQuery wire format (ElastiCache): form-encoded `Action=...&Version=...` requests; XML responses whose
 * `<{Action}Result>` the SDK reads, and `<ErrorResponse>` errors whose `Error.Code` it maps to a fault class.
 */
export const XML_CONTENT_TYPE = 'text/xml';

export function isFormRequest(headers: IncomingHttpHeaders, body: string): boolean {
  const contentType = headers['content-type'] ?? '';
  return contentType.includes('application/x-www-form-urlencoded') || /(^|&)Action=/.test(body);
}

/**
 * The service a SigV4 request was signed for, from the credential scope:
 * `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticache/aws4_request, ...`.
 */
export function signingServiceName(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization);
  return match?.[1];
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function writeQueryResult(
  res: ServerResponse,
  requestId: string,
  input: { action: string; xmlNamespace: string; resultXml: string },
): void {
  const body =
    `<${input.action}Response xmlns="${escapeXml(input.xmlNamespace)}">` +
    `<${input.action}Result>${input.resultXml}</${input.action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${input.action}Response>`;
  res.writeHead(200, {
    'content-type': XML_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

export function writeQueryError(
  res: ServerResponse,
  requestId: string,
  error: { code: string; message: string; statusCode: number; xmlNamespace?: string | undefined },
): void {
  const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  const xmlns = error.xmlNamespace ? ` xmlns="${escapeXml(error.xmlNamespace)}"` : '';
  const body =
    `<ErrorResponse${xmlns}><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(error.statusCode, {
    'content-type': XML_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

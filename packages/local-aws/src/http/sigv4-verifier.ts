import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Refusal } from './refusal.js';

/**
 * Optional Signature Version 4 verification (`--auth sigv4`): the endpoint recomputes each request's
 * signature with the SDK's own signer (`@smithy/signature-v4`) and the configured secret access key, and
 * refuses a missing, malformed, stale or wrong one with the error AWS returns in the request's protocol.
 * Only header authentication (`Authorization: AWS4-HMAC-SHA256 ...`) is accepted; presigned query-string
 * requests are refused. There is no IAM: a valid signature with a configured key may call everything.
 */

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** `none` (default): signatures are accepted unverified. `sigv4`: every request is signed with one of `keys`. */
export type EndpointAuth =
  | { readonly mode: 'none' }
  | { readonly mode: 'sigv4'; readonly keys: readonly AccessKey[] };

export interface RequestToVerify {
  readonly method: string;
  /** Path and query, as in `IncomingMessage.url`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Returns why the request is refused, or undefined when its signature is valid. */
export type SigV4Verifier = (
  request: RequestToVerify,
  /** The signing name of the service the request is routed to; undefined when it reaches no service. */
  service: string | undefined,
) => Promise<Refusal | undefined>;

/** Secrets Manager answers "Signature expired: ... (... - 5 min.)" (boto/botocore#3587). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

// AWS's codes: awsJson services (Secrets Manager, Redshift Data) vs awsQuery ones (ElastiCache); API
// references' "Common Errors" pages and observed responses (aws/aws-sdk-net#3978, teralytics/prometheus-ecs-discovery#7).
type RefusalKind = Pick<Refusal, 'awsJson' | 'awsQuery'>;
const kind = (json: string, jsonStatus: number, query: string, queryStatus: number): RefusalKind => ({
  awsJson: { code: json, statusCode: jsonStatus },
  awsQuery: { code: query, statusCode: queryStatus },
});
const MISSING = kind('MissingAuthenticationTokenException', 403, 'MissingAuthenticationToken', 403);
const INCOMPLETE = kind('IncompleteSignatureException', 400, 'IncompleteSignature', 400);
const UNKNOWN_KEY = kind('UnrecognizedClientException', 400, 'InvalidClientTokenId', 403);
const MISMATCH = kind('InvalidSignatureException', 400, 'SignatureDoesNotMatch', 403);
const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
  'Access Key and signing method. Consult the service documentation for details.';

const refuse = (fault: RefusalKind, message: string): Refusal => ({ ...fault, message });

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined; // names come from the client's SignedHeaders
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(authorization: string): ParsedAuthorization | Refusal {
  const [algorithm, ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    return refuse(
      INCOMPLETE,
      'Only AWS4-HMAC-SHA256 (Signature Version 4) Authorization headers are accepted.',
    );
  }
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    return refuse(
      INCOMPLETE,
      missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' '),
    );
  }
  const credential = CREDENTIAL.exec(fields.get('Credential') ?? '');
  if (!credential) {
    return refuse(
      INCOMPLETE,
      "Credential must have the form '<access key id>/<yyyymmdd>/<region>/<service>/aws4_request'.",
    );
  }
  const [, accessKeyId = '', date = '', region = '', service = ''] = credential;
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';');
  if (!signedHeaders.every((name) => /^[a-z0-9-]+$/.test(name))) {
    return refuse(INCOMPLETE, 'SignedHeaders must be lower-case header names separated by semicolons.');
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders,
    signature: fields.get('Signature') ?? '',
  };
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    query[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

const sha256Hex = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function createSigV4Verifier(options: {
  keys: readonly AccessKey[];
  /** The endpoint's region: a signature scoped to another one is refused, as AWS refuses it. */
  region: string;
  now?: () => number;
}): SigV4Verifier {
  const secrets = new Map(options.keys.map((key) => [key.accessKeyId, key.secretAccessKey]));
  const now = options.now ?? Date.now;

  return async (request, service) => {
    const queryStart = request.url.indexOf('?');
    const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
    const search = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
    const query = parseQuery(search);
    if ('X-Amz-Signature' in query || 'X-Amz-Credential' in query) {
      return refuse(
        INCOMPLETE,
        'Presigned (query-string) requests are not accepted by the local endpoint; sign the Authorization header.',
      );
    }
    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined) return refuse(MISSING, 'Request is missing Authentication Token');
    const parsed = parseAuthorization(authorization);
    if ('message' in parsed) return parsed;

    const amzDate = header(request.headers, 'x-amz-date');
    const dateParts = amzDate === undefined ? null : AMZ_DATE.exec(amzDate);
    if (!amzDate || !dateParts) {
      return refuse(
        INCOMPLETE,
        "Authorization header requires existence of an 'X-Amz-Date' header in the form yyyymmddThhmmssZ.",
      );
    }
    const [, year, month, day, hour, minute, second] = dateParts;
    const signedAt = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
    const current = now();
    if (Number.isNaN(signedAt)) return refuse(INCOMPLETE, `X-Amz-Date ${amzDate} is not a valid date.`);
    if (signedAt < current - MAX_CLOCK_SKEW_MS) {
      return refuse(
        MISMATCH,
        `Signature expired: ${amzDate} is now earlier than ${stamp(current - MAX_CLOCK_SKEW_MS)} (${stamp(current)} - 5 min.)`,
      );
    }
    if (signedAt > current + MAX_CLOCK_SKEW_MS) {
      return refuse(
        MISMATCH,
        `Signature not yet current: ${amzDate} is still later than ${stamp(current + MAX_CLOCK_SKEW_MS)} (${stamp(current)} + 5 min.)`,
      );
    }

    const secretAccessKey = secrets.get(parsed.accessKeyId);
    if (secretAccessKey === undefined) {
      return refuse(UNKNOWN_KEY, 'The security token included in the request is invalid.');
    }
    if (parsed.date !== amzDate.slice(0, 8)) {
      return refuse(
        MISMATCH,
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    if (parsed.region !== options.region) {
      return refuse(MISMATCH, `Credential should be scoped to a valid region, not '${parsed.region}'.`);
    }
    if (service !== undefined && parsed.service !== service) {
      return refuse(MISMATCH, `Credential should be scoped to correct service: '${service}'.`);
    }
    if (!parsed.signedHeaders.includes('host') || !parsed.signedHeaders.includes('x-amz-date')) {
      return refuse(MISMATCH, "'Host' and 'X-Amz-Date' must be SignedHeaders in the AWS Authorization.");
    }
    // The signer trusts a signed x-amz-content-sha256 as the payload hash; make sure it is this body's.
    const payloadHash = sha256Hex(request.body);
    const claimedHash = header(request.headers, 'x-amz-content-sha256');
    if (claimedHash !== undefined && claimedHash !== payloadHash) {
      return refuse(MISMATCH, SIGNATURE_MISMATCH_MESSAGE);
    }

    const headers: Record<string, string> = {};
    for (const name of parsed.signedHeaders) {
      const value = header(request.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId: parsed.accessKeyId, secretAccessKey },
      region: parsed.region,
      service: parsed.service,
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: 'http:',
        hostname: headers.host ?? '',
        path,
        query,
        headers,
        body: request.body,
      }),
      { signingDate: new Date(signedAt), signableHeaders: new Set(parsed.signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
    return sameText(expected, parsed.signature) ? undefined : refuse(MISMATCH, SIGNATURE_MISMATCH_MESSAGE);
  };
}

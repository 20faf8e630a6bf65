/**
 * HTTP/1.1 as AWS SDK clients speak it to an endpoint: requests with Content-Length (or chunked) bodies,
 * one response per request, in order. A request's label is its service and operation: awsJson's
 * `X-Amz-Target`, or awsQuery's `Action` with the SigV4 signing service.
 */
import { createHash } from 'node:crypto';
import { ByteQueue, type ReplyReader, type RequestReader, sqlLabel, type WireRequest } from './call.js';

const HEADER_END = Buffer.from('\r\n\r\n');
const JSON_SERVICES: Record<string, string> = {
  secretsmanager: 'secretsmanager',
  RedshiftData: 'redshift-data',
};

interface Message {
  head: string;
  headers: Map<string, string>;
  body: Buffer;
}

/** One HTTP message from the front of `queue`, or undefined while it is incomplete. */
function takeMessage(queue: ByteQueue, hasBody: (head: string) => boolean): Message | undefined {
  const bytes = queue.bytes;
  const end = bytes.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const head = lines[0] ?? '';
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const bodyStart = end + HEADER_END.length;
  if (!hasBody(head)) {
    queue.consume(bodyStart);
    return { head, headers, body: Buffer.alloc(0) };
  }
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
    const chunked = readChunked(bytes, bodyStart);
    if (!chunked) return undefined;
    queue.consume(chunked.end);
    return { head, headers, body: chunked.body };
  }
  const length = Number(headers.get('content-length') ?? '0');
  if (bytes.length < bodyStart + length) return undefined;
  const body = Buffer.from(bytes.subarray(bodyStart, bodyStart + length));
  queue.consume(bodyStart + length);
  return { head, headers, body };
}

function readChunked(bytes: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // The last chunk, then optional trailers, then an empty line.
      const end = bytes.indexOf(HEADER_END, lineEnd);
      return end < 0 ? undefined : { body: Buffer.concat(parts), end: end + HEADER_END.length };
    }
    if (bytes.length < dataStart + size + 2) return undefined;
    parts.push(bytes.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

/** The label of an AWS API request: `<service> <operation>` plus what distinguishes calls of one operation. */
export function awsRequestLabel(message: Message, rotatedSecretId?: string): string {
  const target = message.headers.get('x-amz-target');
  if (target) {
    const [prefix = '', operation = target] = target.split('.');
    const service = JSON_SERVICES[prefix] ?? prefix.toLowerCase();
    return `${service} ${operation}${jsonDetail(operation, message.body, rotatedSecretId)}`;
  }
  const form = new URLSearchParams(message.body.toString('utf8'));
  const action = form.get('Action');
  if (action) {
    const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(
      message.headers.get('authorization') ?? '',
    );
    return `${scope?.[1] ?? 'aws'} ${action}`;
  }
  return `http ${message.head.split(' ').slice(0, 2).join(' ')}`;
}

function jsonDetail(operation: string, body: Buffer, rotatedSecretId?: string): string {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    return '';
  }
  const parts: string[] = [];
  if (typeof input.SecretId === 'string' && rotatedSecretId && input.SecretId !== rotatedSecretId) {
    parts.push('other secret');
  }
  if (operation === 'GetSecretValue') {
    parts.push(
      typeof input.VersionStage === 'string' ? input.VersionStage : input.VersionId ? 'by id' : 'AWSCURRENT',
    );
  }
  if (
    (operation === 'ExecuteStatement' || operation === 'BatchExecuteStatement') &&
    input.Sql !== undefined
  ) {
    const sql = Array.isArray(input.Sqls) ? String(input.Sqls[0] ?? '') : String(input.Sql);
    parts.push(sqlLabel(sql));
  }
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

/** Requests a client writes; `rotatedSecretId()` tells GetSecretValue of the rotated secret from others. */
export class HttpRequestReader implements RequestReader {
  readonly #queue = new ByteQueue();
  constructor(private readonly rotatedSecretId: () => string | undefined = () => undefined) {}

  feed(chunk: Buffer): WireRequest[] {
    this.#queue.push(chunk);
    const requests: WireRequest[] = [];
    for (;;) {
      const message = takeMessage(this.#queue, () => true);
      if (!message) return requests;
      const target = message.headers.get('x-amz-target') ?? '';
      requests.push({
        label: awsRequestLabel(message, this.rotatedSecretId()),
        // Headers such as X-Amz-Date and the signature differ on every send; the operation and body do not.
        fingerprint: createHash('sha256')
          .update(message.head)
          .update('\0')
          .update(target)
          .update('\0')
          .update(message.body)
          .digest('hex'),
      });
    }
  }

  get partial(): boolean {
    return this.#queue.length > 0;
  }
}

/** Responses a client receives: one per request. */
export class HttpReplyReader implements ReplyReader {
  readonly #queue = new ByteQueue();

  feed(chunk: Buffer): number {
    this.#queue.push(chunk);
    let complete = 0;
    for (;;) {
      const message = takeMessage(this.#queue, (head) => !/^HTTP\/1\.[01] (1\d\d|204|304)/.test(head));
      if (!message) return complete;
      // A 1xx (100 Continue) precedes the real response.
      if (!/^HTTP\/1\.[01] 1\d\d/.test(message.head)) complete++;
    }
  }
}

/**
 * What the interceptor knows about one external call a function makes: a request it sent and expects one
 * reply to. Labels name the operation only (an API action, a command, the first SQL keywords), never a
 * value, so they can be logged and compared across runs whose users and secrets differ.
 */
export interface WireRequest {
  /** e.g. `secretsmanager GetSecretValue(AWSPENDING)`, `elasticache ModifyUser`, `redis AUTH`, `pg ALTER USER`. */
  label: string;
  /**
   * Identical consecutive requests (a poll repeated until a status changes) share a fingerprint and count
   * as one call; `undefined` never matches, so such a request always counts.
   */
  fingerprint: string | undefined;
}

/** Reads one direction of a connection: the requests a client writes. */
export interface RequestReader {
  /** Complete requests in the bytes so far. */
  feed(chunk: Buffer): WireRequest[];
  /** Bytes of a request that is not complete yet are buffered. */
  readonly partial: boolean;
}

/** Reads the other direction: how many replies the bytes so far complete. */
export interface ReplyReader {
  feed(chunk: Buffer): number;
}

/** The client side of one protocol: a reader for what it sends and one for what it receives. */
export interface ProtocolReaders {
  protocol: 'http' | 'redis' | 'postgres';
  requests: RequestReader;
  replies: ReplyReader;
}

/** Growable byte buffer with a read offset. */
export class ByteQueue {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  get length(): number {
    return this.#buffer.length;
  }

  get bytes(): Buffer {
    return this.#buffer;
  }

  consume(count: number): Buffer {
    const taken = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return taken;
  }
}

/** The leading keywords of a SQL statement (`ALTER USER`, `SELECT`), never its identifiers or literals. */
export function sqlLabel(sql: string): string {
  const words = sql.trim().split(/\s+/);
  const first = (words[0] ?? '').toUpperCase();
  if (!/^[A-Z]+$/.test(first)) return 'statement';
  const second = (words[1] ?? '').toUpperCase();
  if (
    ['ALTER', 'CREATE', 'DROP', 'GRANT', 'REVOKE', 'SET', 'SHOW'].includes(first) &&
    /^[A-Z]+$/.test(second)
  ) {
    return `${first} ${second}`;
  }
  return first;
}

/**
 * The PostgreSQL frontend/backend protocol as a client speaks it. Calls: a login (the startup message, then
 * any password or SASL messages, until ReadyForQuery or an error), each simple Query, and each extended
 * query (Parse/Bind/Describe/Execute up to Sync). Each call is answered when ReadyForQuery arrives (or an
 * ErrorResponse ends a login). A call's label is the first SQL keywords.
 */
import { ByteQueue, type ReplyReader, type RequestReader, sqlLabel, type WireRequest } from './call.js';

const SSL_REQUEST = 80_877_103;
const GSS_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;

/** Shared between the two directions: whether the connection is still logging in, or was handed to TLS. */
export class PostgresConnectionState {
  loggingIn = false;
  /** After SSLRequest the server answers one byte, then TLS (not readable here) carries everything. */
  awaitingSslAnswer = false;
  opaque = false;
}

function cString(bytes: Buffer, offset: number): { text: string; next: number } {
  const end = bytes.indexOf(0, offset);
  const stop = end < 0 ? bytes.length : end;
  return { text: bytes.subarray(offset, stop).toString('utf8'), next: stop + 1 };
}

export class PostgresRequestReader implements RequestReader {
  readonly #queue = new ByteQueue();
  #started = false;
  #inExtended = false;
  #extendedLabel = 'extended query';

  constructor(private readonly state: PostgresConnectionState) {}

  feed(chunk: Buffer): WireRequest[] {
    if (this.state.opaque) return [];
    this.#queue.push(chunk);
    const requests: WireRequest[] = [];
    for (;;) {
      const bytes = this.#queue.bytes;
      if (!this.#started) {
        if (bytes.length < 8) return requests;
        const length = bytes.readInt32BE(0);
        if (bytes.length < length) return requests;
        const code = bytes.readInt32BE(4);
        this.#queue.consume(length);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          this.state.awaitingSslAnswer = true;
          continue;
        }
        if (code === CANCEL_REQUEST) continue;
        this.#started = true;
        this.state.loggingIn = true;
        requests.push({ label: 'pg login', fingerprint: undefined });
        continue;
      }
      if (bytes.length < 5) return requests;
      const length = bytes.readInt32BE(1);
      if (bytes.length < 1 + length) return requests;
      const type = String.fromCharCode(bytes[0]!);
      const body = this.#queue.consume(1 + length).subarray(5);
      if (type === 'Q') {
        requests.push({ label: `pg ${sqlLabel(cString(body, 0).text)}`, fingerprint: undefined });
      } else if (
        type === 'P' ||
        type === 'B' ||
        type === 'D' ||
        type === 'E' ||
        type === 'C' ||
        type === 'H'
      ) {
        if (!this.#inExtended) {
          this.#inExtended = true;
          this.#extendedLabel =
            type === 'P' ? `pg ${sqlLabel(cString(body, cString(body, 0).next).text)}` : 'pg execute';
        }
      } else if (type === 'S') {
        if (this.#inExtended) requests.push({ label: this.#extendedLabel, fingerprint: undefined });
        this.#inExtended = false;
      }
      // 'p' (password / SASL) continues the login; 'X' (Terminate) expects no answer.
    }
  }

  get partial(): boolean {
    return this.#queue.length > 0 || this.#inExtended;
  }
}

export class PostgresReplyReader implements ReplyReader {
  readonly #queue = new ByteQueue();

  constructor(private readonly state: PostgresConnectionState) {}

  feed(chunk: Buffer): number {
    if (this.state.opaque) return 0;
    this.#queue.push(chunk);
    let complete = 0;
    for (;;) {
      if (this.state.awaitingSslAnswer) {
        if (this.#queue.length < 1) return complete;
        const answer = String.fromCharCode(this.#queue.consume(1)[0]!);
        this.state.awaitingSslAnswer = false;
        if (answer === 'S' || answer === 'G') {
          this.state.opaque = true;
          return complete;
        }
        continue;
      }
      const bytes = this.#queue.bytes;
      if (bytes.length < 5) return complete;
      const length = bytes.readInt32BE(1);
      if (bytes.length < 1 + length) return complete;
      const type = String.fromCharCode(bytes[0]!);
      this.#queue.consume(1 + length);
      if (type === 'Z') {
        this.state.loggingIn = false;
        complete++;
      } else if (type === 'E' && this.state.loggingIn) {
        // A refused login ends the connection without ReadyForQuery.
        this.state.loggingIn = false;
        complete++;
      }
    }
  }
}

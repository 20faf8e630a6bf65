/**
 * RESP as a Redis client speaks it: each command is an array of bulk strings, each answered by one reply
 * (RESP2 or RESP3 value). A command's label is its name (and subcommand), never its arguments.
 */
import { ByteQueue, type ReplyReader, type RequestReader, type WireRequest } from './call.js';

const CONTAINER_COMMANDS = new Set(['ACL', 'CLIENT', 'CONFIG', 'CLUSTER', 'COMMAND', 'MEMORY', 'OBJECT']);

/** The end offset of the RESP value starting at `offset`, or undefined while it is incomplete. */
export function respValueEnd(bytes: Buffer, offset: number): number | undefined {
  if (offset >= bytes.length) return undefined;
  const lineEnd = bytes.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(bytes[offset]!);
  const header = bytes.subarray(offset + 1, lineEnd).toString('latin1');
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return afterLine;
    case '$':
    case '!':
    case '=': {
      const length = Number(header);
      if (length < 0) return afterLine;
      const end = afterLine + length + 2;
      return bytes.length >= end ? end : undefined;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const count = Number(header);
      if (count < 0) return afterLine;
      const elements = type === '%' || type === '|' ? count * 2 : count;
      let cursor = afterLine;
      for (let i = 0; i < elements; i++) {
        const next = respValueEnd(bytes, cursor);
        if (next === undefined) return undefined;
        cursor = next;
      }
      return cursor;
    }
    default:
      // An inline command (plain text line).
      return afterLine;
  }
}

/** The bulk strings of a RESP array command. */
function commandWords(bytes: Buffer): string[] {
  const words: string[] = [];
  const text = bytes.toString('latin1');
  const pattern = /\$(\d+)\r\n/g;
  let match = pattern.exec(text);
  while (match && words.length < 2) {
    const start = match.index + match[0].length;
    words.push(text.slice(start, start + Number(match[1])));
    pattern.lastIndex = start + Number(match[1]) + 2;
    match = pattern.exec(text);
  }
  if (words.length === 0) words.push(...text.trim().split(/\s+/).slice(0, 2));
  return words;
}

export class RedisRequestReader implements RequestReader {
  readonly #queue = new ByteQueue();

  feed(chunk: Buffer): WireRequest[] {
    this.#queue.push(chunk);
    const requests: WireRequest[] = [];
    for (;;) {
      const end = respValueEnd(this.#queue.bytes, 0);
      if (end === undefined) return requests;
      const [name = '', sub = ''] = commandWords(this.#queue.consume(end));
      const command = name.toUpperCase();
      const label = CONTAINER_COMMANDS.has(command) && sub ? `${command} ${sub.toUpperCase()}` : command;
      requests.push({ label: `redis ${label}`, fingerprint: undefined });
    }
  }

  get partial(): boolean {
    return this.#queue.length > 0;
  }
}

export class RedisReplyReader implements ReplyReader {
  readonly #queue = new ByteQueue();

  feed(chunk: Buffer): number {
    this.#queue.push(chunk);
    let complete = 0;
    for (;;) {
      const end = respValueEnd(this.#queue.bytes, 0);
      if (end === undefined) return complete;
      const pushMessage = this.#queue.bytes[0] === 0x3e; // '>' (RESP3 push): not a reply
      this.#queue.consume(end);
      if (!pushMessage) complete++;
    }
  }
}

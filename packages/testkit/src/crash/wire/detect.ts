import type { ProtocolReaders } from './call.js';
import { HttpReplyReader, HttpRequestReader } from './http.js';
import { PostgresConnectionState, PostgresReplyReader, PostgresRequestReader } from './postgres.js';
import { RedisReplyReader, RedisRequestReader } from './redis.js';

const HTTP_REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
const POSTGRES_START_CODES = new Set([196_608, 80_877_103, 80_877_104, 80_877_102]);

/**
 * Chooses the protocol of a client connection from the first bytes it writes: an HTTP request line, a RESP
 * array, or a PostgreSQL startup (or SSL) message. Anything else is not followed.
 */
export function detectProtocol(
  first: Buffer,
  rotatedSecretId: () => string | undefined,
): ProtocolReaders | undefined {
  if (HTTP_REQUEST_LINE.test(first.subarray(0, 64).toString('latin1'))) {
    return {
      protocol: 'http',
      requests: new HttpRequestReader(rotatedSecretId),
      replies: new HttpReplyReader(),
    };
  }
  if (first[0] === 0x2a) {
    return { protocol: 'redis', requests: new RedisRequestReader(), replies: new RedisReplyReader() };
  }
  if (first.length >= 8 && POSTGRES_START_CODES.has(first.readInt32BE(4))) {
    const state = new PostgresConnectionState();
    return {
      protocol: 'postgres',
      requests: new PostgresRequestReader(state),
      replies: new PostgresReplyReader(state),
    };
  }
  return undefined;
}

import { isIP } from 'node:net';
import { EngineError, EngineUnavailableError, type LoginResult, type RotationStep } from '@rotor/core/engine';
import { Redis } from 'ioredis';
import { withoutSecrets } from './aws-errors.js';

export interface DataPlaneEndpoint {
  host: string;
  port: number;
  tls: boolean;
  /** Verify the server certificate (on by default; ElastiCache presents an Amazon-issued one). */
  rejectUnauthorized: boolean;
  /** PEM certificates to verify with instead of the system's (a private CA, or tests). */
  ca?: string | undefined;
}

export interface LoginRequest {
  endpoint: DataPlaneEndpoint;
  username: string;
  password: string;
  connectTimeoutMs: number;
  signal: AbortSignal;
  step?: RotationStep | undefined;
}

/** Redis' answers to bad credentials: wrong password, unknown or disabled user, AUTH required. */
const AUTH_FAILURE = /^(WRONGPASS|NOAUTH|ERR invalid password|ERR AUTH)/;

/** Node's codes for a certificate that does not verify (OpenSSL's, and the host name check). */
const UNVERIFIED_CERTIFICATE =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT(_LOCALLY)?|VERIFY_LEAF_SIGNATURE)|CERT_(HAS_EXPIRED|NOT_YET_VALID|REVOKED|UNTRUSTED|REJECTED|SIGNATURE_FAILURE)|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * Opens one fresh connection and sends `AUTH username password` itself (RESP2: no HELLO, no ready
 * check), so the outcome is the reply to AUTH and nothing else. A command sent after a failed AUTH
 * could run as the `default` user and succeed; and the user may lack permission even for PING (the
 * seed user only has `+get`). One attempt, no reconnects. Network failures are retryable errors.
 */
export async function redisLogin(request: LoginRequest): Promise<LoginResult> {
  const { endpoint } = request;
  const where = `${endpoint.host}:${endpoint.port}${endpoint.tls ? ' (TLS)' : ''}`;
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    protocol: 2,
    lazyConnect: true,
    connectTimeout: request.connectTimeoutMs,
    commandTimeout: request.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    ...(endpoint.tls
      ? {
          tls: {
            // SNI takes host names only; an IP address is checked against the certificate's IP entries.
            ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
            rejectUnauthorized: endpoint.rejectUnauthorized,
            ...(endpoint.ca !== undefined ? { ca: endpoint.ca } : {}),
          },
        }
      : {}),
  });
  const errors: Error[] = [];
  client.on('error', (error: Error) => errors.push(error));
  const onAbort = () => client.disconnect();
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const reply = await client.call('AUTH', request.username, request.password);
    if (reply !== 'OK') return { status: 'rejected', reason: 'AUTH did not answer OK' };
    return { status: 'accepted' };
  } catch (error) {
    const all = [...errors, error as Error];
    const authFailure = all.find((candidate) => AUTH_FAILURE.test(String(candidate?.message ?? '')));
    if (authFailure) {
      return { status: 'rejected', reason: firstLine(authFailure.message, request.password) };
    }
    const reason = all
      .map((candidate) => firstLine(String(candidate?.message ?? candidate), request.password))
      .filter((text, index, list) => text && list.indexOf(text) === index)
      .join('; ');
    const unverified = all.find((candidate) =>
      UNVERIFIED_CERTIFICATE.test(String((candidate as NodeJS.ErrnoException | undefined)?.code ?? '')),
    );
    if (unverified) {
      // Someone answers, but cannot prove to be the cache: not a missing route, and never retried blindly.
      throw new EngineError(
        `The cache at ${where} presented a certificate that does not verify (${firstLine(unverified.message, request.password)}); no password was sent`,
        { step: request.step, cause: error },
      );
    }
    throw new EngineUnavailableError(
      request.signal.aborted
        ? `Login test against ${where} stopped: the Lambda deadline is near`
        : `Cannot reach the cache at ${where} for the login test: ${reason || 'connection failed'}`,
      { step: request.step, cause: error },
    );
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    client.disconnect();
  }
}

function firstLine(text: string, password: string): string {
  return withoutSecrets(text.split('\n')[0] ?? '', [password]).slice(0, 200);
}

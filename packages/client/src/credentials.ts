import { InvalidSecretError } from '@rotor/core/errors';
import type { SecretVersion } from './secret-cache.js';

export type CredentialStage = 'AWSCURRENT' | 'AWSPENDING';

/**
 * What a driver needs to log in, read from one secret version. The secret formats are the engines':
 * Redshift (`engine`, `host`, `port`, `username`, `password`, `dbname`) and ElastiCache (`username`,
 * `password`, `user_arn`, plus the optional endpoint fields `host`, `port`, `tls`).
 */
export interface Credentials {
  readonly secretId: string;
  readonly versionId: string;
  /** The label the version carried when it was chosen. */
  readonly stage: CredentialStage;
  readonly username: string;
  readonly password: string;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly dbname: string | undefined;
  /** ElastiCache secrets may say whether the endpoint uses TLS. */
  readonly tls: boolean | undefined;
}

/** Reads the login fields of a secret version; errors name the secret and the field, never a value. */
export function toCredentials(version: SecretVersion, stage: CredentialStage): Credentials {
  const { value, secretId, versionId } = version;
  const where = `Secret ${secretId} version ${versionId} (${stage})`;
  const username = value['username'];
  if (typeof username !== 'string' || username.length === 0) {
    throw new InvalidSecretError(`${where} has no "username" string`);
  }
  const password = value['password'];
  if (typeof password !== 'string' || password.length === 0) {
    throw new InvalidSecretError(
      `${where} has no "password" string (a secret is usable only after its first rotation)`,
    );
  }
  return {
    secretId,
    versionId,
    stage,
    username,
    password,
    host: optionalString(value['host'], where, 'host'),
    port: optionalPort(value['port'], where),
    dbname: optionalString(value['dbname'], where, 'dbname'),
    tls: optionalBoolean(value['tls'], where),
  };
}

function optionalString(raw: unknown, where: string, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new InvalidSecretError(`${where} has a "${field}" that is not a non-empty string`);
  }
  return raw;
}

function optionalPort(raw: unknown, where: string): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  // AWS's functions apply int() to the port, so both "5439" and 5439 occur in real secrets.
  const port = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidSecretError(`${where} has a "port" that is not a TCP port number`);
  }
  return port;
}

function optionalBoolean(raw: unknown, where: string): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new InvalidSecretError(`${where} has a "tls" that is not true or false`);
}

/** Same user and password (the version id may differ, e.g. a rotation that failed before setSecret). */
export function sameLogin(a: Credentials, b: Credentials): boolean {
  return a.username === b.username && a.password === b.password;
}

/**
 * The options of `postgresEngine`, parsed once when the function starts: where the engine may connect, how,
 * and how new passwords are made (the settings of AWS's PostgreSQL rotation functions: PASSWORD_LENGTH,
 * EXCLUDE_CHARACTERS, EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE,
 * REQUIRE_EACH_INCLUDED_TYPE, with their meaning: `excludeCharacters` replaces the default list, the four
 * switches drop a character class, and `requireEachIncludedType` puts one character of every class left in
 * each password). A configuration that cannot produce a password never runs.
 */
import {
  definePasswordPolicy,
  type HostPort,
  type PasswordPolicy,
  parseHostPort,
  parseOptions,
} from '@rotor/core/engine';
import * as z from 'zod';
import { type ClientFactory, type ConnectionSettings, defaultClientFactory } from './postgres-client.js';
import { DEFAULT_DATABASE, DEFAULT_PORT } from './postgres-secret.js';
import type { RdsClientLike } from './rds-lookup.js';
import { DEFAULT_SCRAM_ITERATIONS } from './scram.js';

/**
 * Left out by default: the characters that break connection URLs, .pgpass lines and shell quoting
 * (`"'\/@:`). AWS's PostgreSQL functions leave out `/@"'\`; `:` is added for .pgpass.
 */
export const DEFAULT_EXCLUDE_CHARACTERS = '"\'\\/@:';
export const MIN_PASSWORD_LENGTH = 8;
/** Generous for PostgreSQL (which has no practical limit) and every client library Rotor knows of. */
export const MAX_PASSWORD_LENGTH = 128;

export const postgresPasswordOptionsSchema = z
  .object({
    length: z.number().int().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).default(32),
    excludeCharacters: z.string().max(200).default(DEFAULT_EXCLUDE_CHARACTERS),
    excludeNumbers: z.boolean().default(false),
    excludePunctuation: z.boolean().default(false),
    excludeUppercase: z.boolean().default(false),
    excludeLowercase: z.boolean().default(false),
    requireEachIncludedType: z.boolean().default(true),
  })
  .strict();

export type PostgresPasswordOptions = z.input<typeof postgresPasswordOptionsSchema>;

/** The policy core generates passwords from (locally or with GetRandomPassword). */
export function postgresPasswordPolicyFrom(options: PostgresPasswordOptions = {}): PasswordPolicy {
  const value = parseOptions(postgresPasswordOptionsSchema, options, 'PostgreSQL password options');
  return definePasswordPolicy(
    {
      ...value,
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: MAX_PASSWORD_LENGTH,
      // Never a space: it does not survive connection strings and .pgpass files.
      includeSpace: false,
    },
    'PostgreSQL password policy',
  );
}

/**
 * The default policy: 32 characters from letters, digits and punctuation, without the characters that break
 * connection URLs, .pgpass lines and shell quoting (`"'\/@:`), as AWS's RDS templates exclude `/@"'\`.
 */
export const postgresPasswordPolicy: PasswordPolicy = postgresPasswordPolicyFrom();

const clientFactorySchema = z.custom<ClientFactory>(
  (value) => typeof value === 'function',
  'clientFactory must be a function returning a pg Client',
);

export const postgresEngineOptionsSchema = z
  .object({
    /**
     * `host` or `host:port` (port 5432 by default) the engine may connect to. A secret naming any other host
     * is refused before anything connects; without this option every connection is refused.
     */
    allowedHosts: z.array(z.string().min(1)).min(1).optional(),
    /** `verify-full` (default) encrypts and checks the certificate and host name; `require` only encrypts. */
    tls: z.enum(['verify-full', 'require', 'disable']).default('verify-full'),
    /** PEM text or path of the CA bundle to trust (default: Node's roots). */
    ca: z.string().min(1).optional(),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    queryTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
    /** Iterations of the verifiers this engine writes (PostgreSQL's default is 4096). */
    scramIterations: z.number().int().min(4_096).max(1_000_000).default(DEFAULT_SCRAM_ITERATIONS),
    /** Database to connect to when the secret has no `dbname`. */
    defaultDatabase: z.string().min(1).default(DEFAULT_DATABASE),
    applicationName: z.string().min(1).max(63).default('rotor'),
    /** Creates the driver client (tests wrap node-postgres to observe statements). */
    clientFactory: clientFactorySchema.optional(),
    /** How new passwords are made: the settings of AWS's PostgreSQL functions (above). */
    password: postgresPasswordOptionsSchema.optional(),
    /** RDS lookups for RDS-managed master secrets: a client (tests) or the region (default: the SDK's). */
    rds: z
      .object({
        client: z
          .custom<RdsClientLike>(
            (value) => typeof (value as { send?: unknown })?.send === 'function',
            'rds.client must be an RDSClient',
          )
          .optional(),
        region: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PostgresEngineOptions = z.input<typeof postgresEngineOptionsSchema>;

/** The parsed options, in the form the operations use them. */
export interface PostgresSettings {
  tls: ConnectionSettings['tls'];
  /** Where the engine may connect; undefined: nowhere. */
  allowedHosts: HostPort[] | undefined;
  connection: ConnectionSettings;
  scramIterations: number;
  defaultDatabase: string;
  passwordPolicy: PasswordPolicy;
  clientFactory: ClientFactory;
  rds: { client?: RdsClientLike | undefined; region?: string | undefined };
}

export function parsePostgresOptions(options: PostgresEngineOptions): PostgresSettings {
  const config = parseOptions(postgresEngineOptionsSchema, options, 'postgresEngine options');
  return {
    tls: config.tls,
    allowedHosts: config.allowedHosts?.map((entry) => parseHostPort(entry, DEFAULT_PORT)),
    connection: {
      tls: config.tls,
      ca: config.ca,
      connectTimeoutMs: config.connectTimeoutMs,
      queryTimeoutMs: config.queryTimeoutMs,
      applicationName: config.applicationName,
    },
    scramIterations: config.scramIterations,
    defaultDatabase: config.defaultDatabase,
    passwordPolicy: config.password ? postgresPasswordPolicyFrom(config.password) : postgresPasswordPolicy,
    clientFactory: config.clientFactory ?? defaultClientFactory,
    rds: { client: config.rds?.client, region: config.rds?.region },
  };
}

/**
 * The function's configuration, read from the environment once, at cold start. The variables of AWS's
 * Redshift functions keep their meaning (SECRETS_MANAGER_ENDPOINT, EXCLUDE_CHARACTERS, PASSWORD_LENGTH,
 * EXCLUDE_PUNCTUATION, REQUIRE_EACH_INCLUDED_TYPE); Rotor's own start with ROTOR_. Anything invalid is
 * refused with one message listing every problem.
 */
import { readFileSync } from 'node:fs';
import { InvalidConfigurationError } from '@rotor/core';
import { passwordOptionsFromEnv, type RedshiftEngineOptions } from '@rotor/engine-redshift';
import {
  type ConnectionSecurity,
  optionalInteger,
  optionalList,
  optionalText,
  parseEnvironment,
  type RotationFunctionSettings,
  rotationEnvironmentShape,
  rotationSettings,
  tlsModeTransport,
} from '@rotor/lambda';
import * as z from 'zod';

const envSchema = z.object({
  ...rotationEnvironmentShape(['auto', 'single-user', 'alternating-users']),
  ROTOR_REDSHIFT_TRANSPORT: optionalText.pipe(z.enum(['pg', 'data-api']).default('pg')),
  ROTOR_REDSHIFT_TLS: optionalText.pipe(z.enum(['verify-full', 'require', 'disable']).default('verify-full')),
  /** `host[:port],...`: where the function may connect; without it the control plane says (DescribeClusters / GetWorkgroup). */
  ROTOR_REDSHIFT_ALLOWED_HOSTS: optionalList,
  /** PEM file in the bundle or a layer, trusted instead of Node's roots. */
  ROTOR_REDSHIFT_CA_FILE: optionalText,
  ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS: optionalInteger(100, 60_000),
  ROTOR_REDSHIFT_DATA_API_AUTH: optionalText.pipe(z.enum(['secret-arn', 'temporary-credentials']).optional()),
  ROTOR_REDSHIFT_LOGIN_CHECK: optionalText.pipe(z.enum(['none', 'pg']).optional()),
  ROTOR_REDSHIFT_CLUSTER_IDENTIFIER: optionalText,
  ROTOR_REDSHIFT_WORKGROUP_NAME: optionalText,
  ROTOR_REDSHIFT_DATA_API_ENDPOINT: optionalText.pipe(z.url().optional()),
  ROTOR_REDSHIFT_COPY_PRIVILEGES: optionalText.pipe(z.enum(['on-create', 'every-rotation']).optional()),
  /** `postgresql` only for the local stand-in; `auto` asks the server. */
  ROTOR_REDSHIFT_DIALECT: optionalText.pipe(z.enum(['auto', 'redshift', 'postgresql']).optional()),
});

export interface FunctionConfig extends RotationFunctionSettings {
  engine: RedshiftEngineOptions;
  /** Every connection the engine opens and how it is protected (cold-start line, downgrade warnings). */
  connections: ConnectionSecurity[];
}

export function readConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const e = parseEnvironment(envSchema, env, 'Redshift');
  if (e.ROTOR_REDSHIFT_CLUSTER_IDENTIFIER && e.ROTOR_REDSHIFT_WORKGROUP_NAME) {
    throw new InvalidConfigurationError(
      'Set ROTOR_REDSHIFT_CLUSTER_IDENTIFIER or ROTOR_REDSHIFT_WORKGROUP_NAME, not both',
    );
  }
  let ca: string | undefined;
  if (e.ROTOR_REDSHIFT_CA_FILE) {
    try {
      ca = readFileSync(e.ROTOR_REDSHIFT_CA_FILE, 'utf8');
    } catch {
      throw new InvalidConfigurationError(
        `ROTOR_REDSHIFT_CA_FILE ${e.ROTOR_REDSHIFT_CA_FILE} cannot be read`,
      );
    }
  }
  const loginCheck = e.ROTOR_REDSHIFT_LOGIN_CHECK ?? 'pg';
  if (
    e.ROTOR_REDSHIFT_TRANSPORT === 'data-api' &&
    loginCheck === 'none' &&
    e.ROTOR_LOGIN_TEST === 'required'
  ) {
    // Without direct logins testSecret could only fail, after setSecret has changed the password.
    throw new InvalidConfigurationError(
      'ROTOR_REDSHIFT_LOGIN_CHECK=none cannot prove a new password over the Data API: keep the default (pg) where the function can reach the cluster, or set ROTOR_LOGIN_TEST=off to accept untested rotations',
    );
  }
  const allowedHosts = e.ROTOR_REDSHIFT_ALLOWED_HOSTS;
  const engine: RedshiftEngineOptions = {
    transport: e.ROTOR_REDSHIFT_TRANSPORT,
    ...(allowedHosts?.length ? { allowedHosts } : {}),
    ...(e.ROTOR_REDSHIFT_CLUSTER_IDENTIFIER
      ? { clusterIdentifier: e.ROTOR_REDSHIFT_CLUSTER_IDENTIFIER }
      : {}),
    ...(e.ROTOR_REDSHIFT_WORKGROUP_NAME ? { workgroupName: e.ROTOR_REDSHIFT_WORKGROUP_NAME } : {}),
    pg: {
      tls: e.ROTOR_REDSHIFT_TLS,
      ...(ca ? { ca } : {}),
      ...(e.ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS
        ? { connectTimeoutMs: e.ROTOR_REDSHIFT_CONNECT_TIMEOUT_MS }
        : {}),
    },
    dataApi: {
      ...(e.ROTOR_REDSHIFT_DATA_API_AUTH ? { auth: e.ROTOR_REDSHIFT_DATA_API_AUTH } : {}),
      loginCheck,
      ...(e.ROTOR_REDSHIFT_DATA_API_ENDPOINT ? { endpoint: e.ROTOR_REDSHIFT_DATA_API_ENDPOINT } : {}),
    },
    password: passwordOptionsFromEnv(env),
    ...(e.ROTOR_REDSHIFT_COPY_PRIVILEGES ? { copyPrivileges: e.ROTOR_REDSHIFT_COPY_PRIVILEGES } : {}),
    ...(e.ROTOR_REDSHIFT_DIALECT ? { dialect: e.ROTOR_REDSHIFT_DIALECT } : {}),
  };
  return {
    ...rotationSettings(e),
    engine,
    connections: connectionsOf(
      e.ROTOR_REDSHIFT_TRANSPORT,
      loginCheck,
      e.ROTOR_REDSHIFT_TLS,
      !allowedHosts?.length,
    ),
  };
}

/** The connections the engine opens: direct pg logins (TLS as configured), and AWS APIs over verified HTTPS. */
function connectionsOf(
  transport: 'pg' | 'data-api',
  loginCheck: 'pg' | 'none',
  tls: 'verify-full' | 'require' | 'disable',
  asksControlPlane: boolean,
): ConnectionSecurity[] {
  const direct: ConnectionSecurity = {
    name: transport === 'pg' ? 'Redshift (pg)' : 'Redshift login test (pg)',
    transport: tlsModeTransport(tls),
    ...(tls === 'verify-full' ? {} : { setting: `ROTOR_REDSHIFT_TLS=${tls}` }),
  };
  const logsInDirectly = transport === 'pg' || loginCheck === 'pg';
  return [
    ...(transport === 'data-api' ? [{ name: 'Redshift Data API', transport: 'verified-tls' as const }] : []),
    ...(logsInDirectly ? [direct] : []),
    ...(logsInDirectly && asksControlPlane
      ? [
          {
            name: 'Redshift control plane (DescribeClusters / GetWorkgroup)',
            transport: 'verified-tls' as const,
          },
        ]
      : []),
  ];
}

import { randomBytes } from 'node:crypto';
import { generatePassword } from '@rotor/core';
import type { RotationEngine } from '@rotor/core/engine';
import {
  type PostgresEngine,
  type PostgresEngineOptions,
  type PostgresSecret,
  postgresEngine,
} from '@rotor/engine-postgres';
import { createCapturingLogger, runConformanceChecks, stepContext } from '@rotor/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresPasswordPolicy } from '../../src/postgres-options.ts';
import { scramSha256Verifier } from '../../src/scram.ts';
import { type PostgresTarget, startPostgresTarget } from './support/postgres-target.ts';
import { sharedHandle, sharedServers } from './support/shared-servers.ts';

let target: PostgresTarget;
let counter = 0;
/** Under `pnpm mutation` the server outlives this run: users of earlier runs are still there. */
const userPrefix = `engine_${randomBytes(3).toString('hex')}_user`;
let engine: PostgresEngine;
/** The function's configuration: loopback without TLS, and the one server it may connect to. */
const engineAt = (server: { host: string; port: number }, options: PostgresEngineOptions = {}) =>
  postgresEngine({ tls: 'disable', allowedHosts: [`${server.host}:${server.port}`], ...options });
const password = (): string => generatePassword(postgresPasswordPolicy);

async function newUser(on: PostgresTarget = target): Promise<PostgresSecret> {
  counter += 1;
  const username = `${userPrefix}_${counter}`;
  const initial = password();
  await on.createUser(username, initial);
  return on.secretFor(username, initial);
}

const adminPrincipal = (on: PostgresTarget = target) => ({
  kind: 'admin' as const,
  admin: {
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin',
    value: on.admin.value,
    readTags: async () => ({}),
  },
});

async function roleExists(username: string): Promise<boolean> {
  return (await target.sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 1;
}

beforeAll(async () => {
  // The cluster `pnpm mutation` started once for every run (decision 0130); otherwise this file's own.
  const shared = sharedServers();
  target = await startPostgresTarget({
    authMethod: 'scram-sha-256',
    ...(shared ? { server: sharedHandle(shared.main) } : {}),
  });
  engine = engineAt(target.server);
});
afterAll(async () => {
  await target?.stop();
});

describe('postgresEngine against a real PostgreSQL (scram-sha-256 only)', () => {
  it('sends a SCRAM verifier, never the clear password: not in the statement log, and stored hashed', async () => {
    // The statement log lives in the process that started the server: a shared one's is out of reach.
    const own = sharedServers() ? await startPostgresTarget({ authMethod: 'scram-sha-256' }) : undefined;
    const logged = own ?? target;
    try {
      const user = await newUser(logged);
      const next = password();
      const cloneName = `${user.username}_clone`;
      const clonePassword = password();
      const loggedEngine = own ? engineAt(own.server) : engine;
      const before = logged.server.output().length;
      await loggedEngine.setPasswords(
        { user: { ...user, password: next }, passwords: [next], principal: { kind: 'self', secret: user } },
        stepContext(),
      );
      await loggedEngine.cloneUser(
        {
          source: user,
          target: { ...user, username: cloneName, password: clonePassword },
          principal: adminPrincipal(logged),
        },
        stepContext(),
      );
      const log = logged.server.output().slice(before);
      // Positive control: the statement log does record our statements, verifiers included.
      expect(log).toContain(`ALTER ROLE "${user.username}" PASSWORD 'SCRAM-SHA-256$4096:`);
      expect(log).toContain(`CREATE ROLE "${cloneName}" WITH LOGIN`);
      expect(log).not.toContain(next);
      expect(log).not.toContain(clonePassword);
      const { rows } = await logged.sql(
        'SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname',
        [[user.username, cloneName]],
      );
      expect(rows.map((row) => String(row.rolpassword).slice(0, 19))).toEqual([
        'SCRAM-SHA-256$4096:',
        'SCRAM-SHA-256$4096:',
      ]);
      expect(await logged.canLogin(user.username, next)).toBe(true);
      expect(await logged.canLogin(user.username, user.password!)).toBe(false);
      expect(await logged.canLogin(cloneName, clonePassword)).toBe(true);
    } finally {
      await own?.stop();
    }
  });

  it('writes verifiers with the configured iteration count, and they still log in', async () => {
    const user = await newUser();
    const next = password();
    await engineAt(target.server, { scramIterations: 10_000 }).setPasswords(
      { user: { ...user, password: next }, passwords: [next], principal: adminPrincipal() },
      stepContext(),
    );
    const { rows } = await target.sql('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [
      user.username,
    ]);
    expect(String(rows[0]!.rolpassword)).toMatch(/^SCRAM-SHA-256\$10000:/);
    expect(await target.canLogin(user.username, next)).toBe(true);
  });

  it('refuses a change by a wrong admin password: CredentialRejectedError, and no role is created', async () => {
    const user = await newUser();
    const cloneName = `${user.username}_clone`;
    const principal = adminPrincipal();
    principal.admin.value = { ...principal.admin.value, password: 'Not-The-Admin-Password-1' };
    const error = await engine
      .cloneUser(
        { source: user, target: { ...user, username: cloneName, password: password() }, principal },
        stepContext(),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CredentialRejectedError', code: 'CREDENTIAL_REJECTED' });
    expect(String((error as Error).message)).not.toContain('Not-The-Admin-Password-1');
    expect(await roleExists(cloneName)).toBe(false);
  });

  it('reports an admin without CREATEROLE as PermissionDeniedError and rolls the clone back', async () => {
    const user = await newUser();
    const weakAdmin = await newUser();
    const cloneName = `${user.username}_clone`;
    const principal = {
      kind: 'admin' as const,
      admin: { secretId: 'arn:weak-admin', value: { ...weakAdmin }, readTags: async () => ({}) },
    };
    await expect(
      engine.cloneUser(
        { source: user, target: { ...user, username: cloneName, password: password() }, principal },
        stepContext(),
      ),
    ).rejects.toMatchObject({ name: 'PermissionDeniedError', code: 'PERMISSION_DENIED' });
    expect(await roleExists(cloneName)).toBe(false);
  });

  it('refuses a non-ASCII password before connecting, without echoing it, and changes nothing', async () => {
    const user = await newUser();
    const bad = 'Pässwörd-With-Umlauts-123';
    const logger = createCapturingLogger();
    const error = await engine
      .setPasswords(
        { user: { ...user, password: bad }, passwords: [bad], principal: { kind: 'self', secret: user } },
        stepContext({ logger }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'InvalidSecretError', code: 'INVALID_SECRET' });
    expect(String((error as Error).message)).not.toContain(bad);
    expect(await target.canLogin(user.username, user.password!)).toBe(true);
  });

  it('lets a role change only its own password', async () => {
    const user = await newUser();
    const other = await newUser();
    const next = password();
    await expect(
      engine.setPasswords(
        { user: { ...other, password: next }, passwords: [next], principal: { kind: 'self', secret: user } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await target.canLogin(other.username, other.password!)).toBe(true);
  });

  it('reports an unreachable server as a retryable EngineUnavailableError', async () => {
    const closed = { ...target.secretFor('nobody', 'Whatever-Password-1'), port: 1 };
    await expect(engineAt(closed).login({ user: closed }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
    });
  });

  it('reports a database that does not exist as an invalid secret', async () => {
    const user = await newUser();
    await expect(
      engine.login({ user: { ...user, dbname: 'no_such_database' } }, stepContext()),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
    });
  });
});

describe('postgresEngine: negative controls for the conformance suite', () => {
  it('the suite catches an engine whose verifier is for a different password', async () => {
    const broken: RotationEngine<PostgresSecret> = postgresEngine({
      tls: 'disable',
      allowedHosts: [`${target.server.host}:${target.server.port}`],
      // Rewrites every verifier to one for another password, as a bug in the SCRAM code would.
      clientFactory: (config) => {
        const client = new pg.Client(config);
        const query = client.query.bind(client) as (
          text: string,
          values?: unknown[],
        ) => Promise<pg.QueryResult>;
        return {
          connect: () => client.connect(),
          end: () => client.end(),
          query: (text: string, values?: unknown[]) =>
            query(
              text.replace(/'SCRAM-SHA-256\$[^']+'/, `'${scramSha256Verifier('Something-Else-1')}'`),
              values,
            ),
        };
      },
    });
    const results = await runConformanceChecks(
      {
        name: 'broken postgres',
        createEngine: () => broken,
        startTarget: async () => ({ ...target, stop: async () => {} }),
      },
      { only: ['exact-password', 'clone'] },
    );
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['exact-password', 'failed'],
      ['clone', 'failed'],
    ]);
    expect(results[0]!.reason).toMatch(/should log in, checked independently of the engine, but was refused/);
  });
});

describe('postgresEngine on a server whose pg_hba uses md5', () => {
  it('SCRAM verifiers log in there too (PostgreSQL upgrades md5 to SCRAM for SCRAM-stored passwords)', async () => {
    const md5Target = await startPostgresTarget({ authMethod: 'md5' });
    try {
      const initial = password();
      await md5Target.createUser('md5_user', initial);
      const user = md5Target.secretFor('md5_user', initial);
      const next = password();
      const md5Engine = engineAt(md5Target.server);
      await md5Engine.setPasswords(
        { user: { ...user, password: next }, passwords: [next], principal: { kind: 'self', secret: user } },
        stepContext(),
      );
      expect(await md5Target.canLogin('md5_user', next)).toBe(true);
      expect(await md5Target.canLogin('md5_user', initial)).toBe(false);
      await expect(md5Engine.login({ user: { ...user, password: next } }, stepContext())).resolves.toEqual({
        status: 'accepted',
      });
    } finally {
      await md5Target.stop();
    }
  });
});

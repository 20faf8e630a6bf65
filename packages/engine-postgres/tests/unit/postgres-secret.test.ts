/**
 * The secret schemas' refusals, each with the field and the reason an operator reads (the kit only ever writes
 * well-formed secrets, decision 0130).
 */
import { postgresAdminSecretSchema, postgresSecretSchema } from '@rotor/engine-postgres';
import { describe, expect, it } from 'vitest';

const user = { host: 'db.internal', username: 'app', password: 'p' };
const admin = { username: 'admin', password: 'p' };
const issues = (result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) => (result.error?.issues ?? []).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

describe('ports', () => {
  it.each([[1], [65_535], ['5432'], ['1'], ['65535']])('accepts %j', (port) => {
    expect(postgresSecretSchema.safeParse({ ...user, port }).success).toBe(true);
    expect(postgresAdminSecretSchema.safeParse({ ...admin, port }).success).toBe(true);
  });

  it.each([[0], [65_536], [5432.5], ['123456'], ['x5432'], ['5432x'], [''], ['54 32']])(
    'refuses %j',
    (port) => {
      expect(postgresSecretSchema.safeParse({ ...user, port }).success).toBe(false);
      expect(postgresAdminSecretSchema.safeParse({ ...admin, port }).success).toBe(false);
    },
  );
});

describe('role names', () => {
  it('says why a name is refused: too long for PostgreSQL, or with NUL', () => {
    expect(issues(postgresSecretSchema.safeParse({ ...user, username: 'a'.repeat(64) }))).toEqual([
      { path: 'username', message: 'must be at most 63 bytes (PostgreSQL truncates longer role names)' },
    ]);
    expect(issues(postgresAdminSecretSchema.safeParse({ ...admin, username: 'ad\u0000min' }))).toEqual([
      { path: 'username', message: 'must not contain NUL' },
    ]);
    expect(postgresSecretSchema.safeParse({ ...user, username: '' }).success).toBe(false);
  });
});

describe('the other fields', () => {
  it('says a secret for another engine is refused because this function rotates PostgreSQL users', () => {
    expect(issues(postgresSecretSchema.safeParse({ ...user, engine: 'mysql' }))).toEqual([
      { path: 'engine', message: 'must be "postgres" (this function rotates PostgreSQL users)' },
    ]);
  });

  it.each([
    ['an empty host', { host: '' }],
    ['an empty database', { dbname: '' }],
    ['an empty masterarn', { masterarn: '' }],
  ])('refuses a secret with %s', (_name, field) => {
    expect(postgresSecretSchema.safeParse({ ...user, ...field }).success).toBe(false);
  });

  it.each([
    ['an empty password', { password: '' }],
    ['an empty host', { host: '' }],
    ['an empty database', { dbname: '' }],
  ])('refuses an admin secret with %s', (_name, field) => {
    expect(postgresAdminSecretSchema.safeParse({ ...admin, ...field }).success).toBe(false);
  });

  it('takes a secret without a password (createSecret fills it) and an admin secret without a host', () => {
    expect(postgresSecretSchema.safeParse({ host: 'h', username: 'app' }).success).toBe(true);
    expect(postgresAdminSecretSchema.safeParse(admin).success).toBe(true);
  });
});

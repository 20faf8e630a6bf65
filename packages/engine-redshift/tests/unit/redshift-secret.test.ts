import { describe, expect, it } from 'vitest';
import { redshiftEngine } from '../../src/redshift-engine.ts';
import { redshiftSecretSchema, usernameProblem } from '../../src/redshift-secret.ts';

const secret = {
  engine: 'redshift',
  host: 'analytics.abc123xyz.us-east-1.redshift.amazonaws.com',
  port: '5439',
  username: 'app',
  password: 'Sup3rSecretPassw0rd',
  dbname: 'dev',
};

describe('redshiftSecretSchema', () => {
  it("accepts AWS's format and keeps unknown keys such as dbClusterIdentifier", () => {
    const parsed = redshiftSecretSchema.parse({ ...secret, dbClusterIdentifier: 'analytics', team: 'data' });
    expect(parsed.dbClusterIdentifier).toBe('analytics');
    expect(parsed.team).toBe('data');
    expect(parsed.port).toBe('5439');
  });

  it('accepts numeric ports and no dbname / port', () => {
    expect(redshiftSecretSchema.safeParse({ ...secret, port: 5439 }).success).toBe(true);
    const { port: _port, dbname: _dbname, ...minimal } = secret;
    expect(redshiftSecretSchema.safeParse(minimal).success).toBe(true);
  });

  it.each([
    ['wrong engine', { ...secret, engine: 'postgres' }, /engine/],
    ['no host', { ...secret, host: undefined }, /host/],
    ['bad port', { ...secret, port: 'abc' }, /port/],
    ['hostile user name', { ...secret, username: 'a"; DROP USER x; --' }, /double quote/],
    ['upper case', { ...secret, username: 'App' }, /lower case/],
    ['control character', { ...secret, username: 'a\nb' }, /control character/],
    ['too long', { ...secret, username: 'a'.repeat(128) }, /127 bytes/],
  ])('refuses %s', (_label, value, message) => {
    const result = redshiftSecretSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });

  it('allows names that only need quoting (spaces, apostrophes, semicolons)', () => {
    expect(usernameProblem('user with space')).toBeUndefined();
    expect(usernameProblem("o'brien")).toBeUndefined();
    expect(usernameProblem('x;y')).toBeUndefined();
  });
});

describe('alternateUser', () => {
  const engine = redshiftEngine();

  it('toggles the _clone suffix', () => {
    expect(engine.alternateUser!(redshiftSecretSchema.parse(secret))).toEqual({ username: 'app_clone' });
    expect(engine.alternateUser!(redshiftSecretSchema.parse({ ...secret, username: 'app_clone' }))).toEqual({
      username: 'app',
    });
  });

  it('refuses a name whose clone would exceed 127 bytes (AWS promised this check and never made it)', () => {
    const long = redshiftSecretSchema.parse({ ...secret, username: 'a'.repeat(125) });
    expect(() => engine.alternateUser!(long)).toThrow(/127 bytes/);
  });
});

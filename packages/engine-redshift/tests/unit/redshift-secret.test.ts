import { redshiftEngine } from '@rotor/engine-redshift';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redshiftSecretSchema, usernameProblem } from '../../src/redshift-secret.ts';
import { quoteIdent } from '../../src/sql.ts';

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
    expect(engine.alternateUser?.({ user: redshiftSecretSchema.parse(secret) })).toEqual({
      fields: { username: 'app_clone' },
    });
    expect(
      engine.alternateUser?.({ user: redshiftSecretSchema.parse({ ...secret, username: 'app_clone' }) }),
    ).toEqual({
      fields: { username: 'app' },
    });
  });

  it('refuses a name whose clone would exceed 127 bytes (AWS promised this check and never made it)', () => {
    const long = redshiftSecretSchema.parse({ ...secret, username: 'a'.repeat(125) });
    expect(() => engine.alternateUser?.({ user: long })).toThrow(/127 bytes/);
  });
});

describe('secret parsing (properties)', () => {
  const extraKey = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter(
      (key) =>
        !['engine', 'host', 'port', 'username', 'password', 'dbname', 'masterarn', '__proto__'].includes(key),
    );

  it('keeps every unknown key through a JSON round trip, as a rotation does', () => {
    fc.assert(
      fc.property(fc.dictionary(extraKey, fc.jsonValue()), (extra) => {
        const parsed = redshiftSecretSchema.parse({ ...secret, ...extra });
        const again = redshiftSecretSchema.parse(JSON.parse(JSON.stringify(parsed)));
        for (const [key, value] of Object.entries(extra))
          expect(again[key]).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('accepts a user name exactly when it has no problem, and such names quote to one identifier', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 140 }), (username) => {
        const accepted = redshiftSecretSchema.safeParse({ ...secret, username }).success;
        expect(accepted).toBe(usernameProblem(username) === undefined);
        if (accepted) expect(quoteIdent(username)).toBe(`"${username}"`);
      }),
    );
  });
});

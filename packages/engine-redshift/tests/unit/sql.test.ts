import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alterGroupAddUser,
  alterUserConnectionLimit,
  alterUserPassword,
  alterUserSetting,
  createUser,
  grantOnDatabase,
  grantOnTables,
  md5PasswordHash,
  quoteIdent,
  quoteLiteral,
  splitSettingList,
} from '../../src/sql.ts';

describe('md5PasswordHash', () => {
  it("matches Redshift's documented example (password ez, user user1)", () => {
    expect(md5PasswordHash('ez', 'user1')).toBe('md5153c434b4b77c89e6b94f12c5393af5b');
  });

  it('is salted with the user name', () => {
    expect(md5PasswordHash('Secret123', 'alice')).not.toBe(md5PasswordHash('Secret123', 'bob'));
    expect(md5PasswordHash('Secret123', 'alice')).toMatch(/^md5[0-9a-f]{32}$/);
  });
});

describe('quoteIdent', () => {
  it('wraps names in double quotes and doubles embedded ones', () => {
    expect(quoteIdent('app')).toBe('"app"');
    expect(quoteIdent('user with space')).toBe('"user with space"');
    expect(quoteIdent("o'brien")).toBe('"o\'brien"');
    expect(quoteIdent('a"; DROP USER x; --')).toBe('"a""; DROP USER x; --"');
  });

  it('refuses empty names and NUL', () => {
    expect(() => quoteIdent('')).toThrow(RangeError);
    expect(() => quoteIdent('a\0b')).toThrow(RangeError);
  });

  it('keeps any name one identifier (no unbalanced quote can end it early)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')),
        (name) => {
          const quoted = quoteIdent(name);
          const inner = quoted.slice(1, -1);
          // Every quote inside is doubled: removing the pairs leaves none.
          expect(inner.replaceAll('""', '')).not.toContain('"');
          expect(inner.replaceAll('""', '"')).toBe(name);
        },
      ),
    );
  });
});

describe('quoteLiteral', () => {
  it('doubles single quotes and refuses backslashes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteLiteral('a\\b')).toThrow(/backslash/);
  });
});

describe('alterUserPassword', () => {
  it('sends the md5 hash, quoted user name, never the password', () => {
    const sql = alterUserPassword('app', 'N3wPassw0rd!x');
    expect(sql).toBe(`ALTER USER "app" PASSWORD '${md5PasswordHash('N3wPassw0rd!x', 'app')}'`);
    expect(sql).not.toContain('N3wPassw0rd!x');
  });

  it('cannot be injected through hostile user names', () => {
    const sql = alterUserPassword('a"; DROP USER x; --', 'Passw0rdPassw0rd');
    expect(sql).toBe(
      `ALTER USER "a""; DROP USER x; --" PASSWORD '${md5PasswordHash('Passw0rdPassw0rd', 'a"; DROP USER x; --')}'`,
    );
  });

  it('never contains the password, whatever it is (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0')),
        (password, username) => {
          // A password that is a substring of the user name or the fixed SQL text would trivially appear.
          fc.pre(!`ALTER USER "${username}" PASSWORD 'md5`.includes(password));
          expect(alterUserPassword(username, password)).not.toContain(password);
          expect(createUser(username, password)).not.toContain(password);
        },
      ),
    );
  });
});

describe('other statements', () => {
  it('builds CREATE USER, ALTER GROUP and GRANTs with quoted names', () => {
    expect(createUser('app_clone', 'Xx1xxxxxxx', { createdb: true })).toMatch(
      /^CREATE USER "app_clone" PASSWORD 'md5[0-9a-f]{32}' CREATEDB$/,
    );
    expect(alterGroupAddUser('readers"x', 'app')).toBe('ALTER GROUP "readers""x" ADD USER "app"');
    expect(grantOnDatabase('TEMP', 'dev', 'app')).toBe('GRANT TEMP ON DATABASE "dev" TO "app"');
    expect(
      grantOnTables(
        'SELECT',
        [
          { schema: 'sales', name: 'orders' },
          { schema: 'my schema', name: 't"1' },
        ],
        'app',
      ),
    ).toBe('GRANT SELECT ON TABLE "sales"."orders", "my schema"."t""1" TO "app"');
  });

  it('writes search_path as a list of identifiers and other settings as literals', () => {
    expect(alterUserSetting('app', 'search_path', '"$user", sales, "my schema"')).toBe(
      'ALTER USER "app" SET search_path TO "$user", "sales", "my schema"',
    );
    expect(alterUserSetting('app', 'statement_timeout', '5000')).toBe(
      `ALTER USER "app" SET statement_timeout TO '5000'`,
    );
    expect(() => alterUserSetting('app', 'x; DROP USER y', '1')).toThrow(RangeError);
  });

  it('splits list settings as the server prints them', () => {
    expect(splitSettingList('a, b')).toEqual(['a', 'b']);
    expect(splitSettingList('"$user", public')).toEqual(['$user', 'public']);
    expect(splitSettingList('"x, ""y"""')).toEqual(['x, "y"']);
    expect(splitSettingList('')).toEqual([]);
  });
});

describe('alterUserConnectionLimit', () => {
  it('builds the statement for a whole limit or UNLIMITED', () => {
    expect(alterUserConnectionLimit('app', 0)).toBe('ALTER USER "app" CONNECTION LIMIT 0');
    expect(alterUserConnectionLimit('app', 25)).toBe('ALTER USER "app" CONNECTION LIMIT 25');
    expect(alterUserConnectionLimit('app', 'UNLIMITED')).toBe('ALTER USER "app" CONNECTION LIMIT UNLIMITED');
  });

  it.each([-1, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the limit %s', (limit) => {
    expect(() => alterUserConnectionLimit('app', limit)).toThrow(RangeError);
  });
});

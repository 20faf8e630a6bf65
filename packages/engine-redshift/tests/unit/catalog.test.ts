import { describe, expect, it } from 'vitest';
import { asBoolean, readPrivileges } from '../../src/catalog.ts';
import type { Row, SqlSession } from '../../src/transport.ts';

/** A session answering readPrivileges' three catalog queries with the given rows. */
function catalogSession(rows: { databases?: Row[]; schemas?: Row[]; tables?: Row[] }): SqlSession {
  return {
    query: async (sql) => {
      if (sql.includes('FROM pg_database')) return rows.databases ?? [];
      if (sql.includes('FROM pg_namespace WHERE')) return rows.schemas ?? [];
      if (sql.includes('FROM pg_class')) return rows.tables ?? [];
      throw new Error(`unexpected query: ${sql}`);
    },
    transaction: async () => {
      throw new Error('readPrivileges must not write');
    },
    close: async () => {},
  };
}

const ALL_TABLE = {
  can_select: true,
  can_insert: true,
  can_update: true,
  can_delete: true,
  can_references: true,
};

describe('readPrivileges: which held privileges a clone is granted', () => {
  // PUBLIC holds the privilege of the letter at each index: the clone has it anyway, so it is not granted.
  it.each([
    ['SELECT', 'r'],
    ['INSERT', 'a'],
    ['UPDATE', 'w'],
    ['DELETE', 'd'],
    ['REFERENCES', 'x'],
  ] as const)('grants table %s unless PUBLIC holds its ACL letter %s', async (privilege, letter) => {
    const others = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES'].filter((p) => p !== privilege);
    const facts = await readPrivileges(
      catalogSession({
        tables: [{ nspname: 'app', relname: 't', acl: `owner=arwdx/owner,=${letter}/owner`, ...ALL_TABLE }],
      }),
      'src',
    );
    expect(facts.tables[privilege]).toEqual([]);
    for (const other of others) {
      expect(facts.tables[other as typeof privilege]).toEqual([{ schema: 'app', name: 't' }]);
    }
  });

  it('grants every held table privilege on a table whose ACL is NULL (its owner holds them, PUBLIC none)', async () => {
    const facts = await readPrivileges(
      catalogSession({ tables: [{ nspname: 'app', relname: 'own', acl: null, ...ALL_TABLE }] }),
      'src',
    );
    for (const privilege of ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES'] as const) {
      expect(facts.tables[privilege]).toEqual([{ schema: 'app', name: 'own' }]);
    }
  });

  it('grants nothing the source does not hold', async () => {
    const facts = await readPrivileges(
      catalogSession({
        tables: [
          {
            nspname: 'app',
            relname: 't',
            acl: 'src=r/owner',
            can_select: true,
            can_insert: false,
            can_update: 'f',
            can_delete: 0,
            can_references: null,
          },
        ],
      }),
      'src',
    );
    expect(facts.tables.SELECT).toEqual([{ schema: 'app', name: 't' }]);
    expect(facts.tables.INSERT).toEqual([]);
    expect(facts.tables.UPDATE).toEqual([]);
    expect(facts.tables.DELETE).toEqual([]);
    expect(facts.tables.REFERENCES).toEqual([]);
  });

  it.each([
    ['USAGE', 'U'],
    ['CREATE', 'C'],
  ] as const)('grants schema %s unless PUBLIC holds its ACL letter %s', async (privilege, letter) => {
    const other = privilege === 'USAGE' ? 'CREATE' : 'USAGE';
    const facts = await readPrivileges(
      catalogSession({
        schemas: [
          { nspname: 'app', acl: `owner=UC/owner,=${letter}/owner`, can_usage: true, can_create: true },
        ],
      }),
      'src',
    );
    expect(facts.schemas[privilege]).toEqual([]);
    expect(facts.schemas[other]).toEqual(['app']);
    const nullAcl = await readPrivileges(
      catalogSession({ schemas: [{ nspname: 'app', acl: null, can_usage: true, can_create: true }] }),
      'src',
    );
    expect(nullAcl.schemas).toEqual({ USAGE: ['app'], CREATE: ['app'] });
  });

  it('grants database CREATE and TEMP unless PUBLIC holds them, reading a NULL ACL as PUBLIC TEMP and CONNECT', async () => {
    const held = { can_create: true, can_temp: true };
    const facts = await readPrivileges(
      catalogSession({
        databases: [
          { datname: 'default_acl', acl: null, ...held },
          { datname: 'public_create', acl: 'owner=CTc/owner,=C/owner', ...held },
          { datname: 'private', acl: 'owner=CTc/owner', ...held },
        ],
      }),
      'src',
    );
    expect(facts.databases).toEqual([
      { privilege: 'CREATE', database: 'default_acl' },
      { privilege: 'TEMP', database: 'public_create' },
      { privilege: 'CREATE', database: 'private' },
      { privilege: 'TEMP', database: 'private' },
    ]);
  });

  it.each([
    ['tables', { relname: 't', acl: null, ...ALL_TABLE }, 'nspname'],
    ['tables', { nspname: 'app', acl: null, ...ALL_TABLE }, 'relname'],
    ['schemas', { acl: null, can_usage: true, can_create: true }, 'nspname'],
    ['databases', { acl: null, can_create: true, can_temp: true }, 'datname'],
  ] as const)(
    'refuses %s rows without a %s column instead of granting on "undefined"',
    async (kind, row, name) => {
      await expect(readPrivileges(catalogSession({ [kind]: [row] }), 'src')).rejects.toMatchObject({
        code: 'ENGINE_FAILED',
        message: expect.stringContaining(`"${name}"`),
      });
    },
  );
});

describe('asBoolean', () => {
  it.each([true, 1, -1, 't', 'T', 'true', 'TRUE', '1', 'y', 'Y', 'yes', 'Yes'])(
    'reads %j as true',
    (value) => {
      expect(asBoolean(value)).toBe(true);
    },
  );

  it.each([false, 0, 'f', 'false', '0', 'n', 'no', '', 'maybe', null, undefined, {}])(
    'reads %j as false',
    (value) => {
      expect(asBoolean(value)).toBe(false);
    },
  );
});

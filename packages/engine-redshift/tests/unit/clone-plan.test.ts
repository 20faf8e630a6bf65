import { describe, expect, it } from 'vitest';
import type { PrivilegeFacts, UserFacts } from '../../src/catalog.ts';
import { parseSettings, parseTextArray, publicHolds } from '../../src/catalog.ts';
import { buildClonePlan } from '../../src/clone-plan.ts';
import { md5PasswordHash } from '../../src/sql.ts';

const password = 'Cl0nePassw0rdXyz';
const source: UserFacts = {
  name: 'app',
  superuser: false,
  createdb: true,
  connectionLimit: 7,
  settings: [
    ['search_path', 'sales, "$user"'],
    ['statement_timeout', '5000'],
  ],
  groups: ['readers', 'writers'],
  roles: ['analyst'],
};
const privileges: PrivilegeFacts = {
  databases: [
    { privilege: 'CREATE', database: 'dev' },
    { privilege: 'TEMP', database: 'shared_db' },
  ],
  schemas: { USAGE: ['sales', 'public'], CREATE: ['sales'] },
  tables: {
    SELECT: [
      { schema: 'sales', name: 'orders' },
      { schema: 'sales', name: 'customers' },
    ],
    INSERT: [{ schema: 'sales', name: 'orders' }],
    UPDATE: [],
    DELETE: [],
    REFERENCES: [],
  },
};

describe('buildClonePlan', () => {
  it('creates the clone with the md5 password and copies attributes, settings, memberships and grants', () => {
    const plan = buildClonePlan({
      dialect: 'redshift',
      source,
      target: { name: 'app_clone', password },
      privileges,
    });
    const hash = md5PasswordHash(password, 'app_clone');
    expect(plan.statements).toEqual([
      `CREATE USER "app_clone" PASSWORD '${hash}' CREATEDB`,
      'ALTER USER "app_clone" CONNECTION LIMIT 7',
      'ALTER USER "app_clone" SET search_path TO "sales", "$user"',
      `ALTER USER "app_clone" SET statement_timeout TO '5000'`,
      'ALTER GROUP "readers" ADD USER "app_clone"',
      'ALTER GROUP "writers" ADD USER "app_clone"',
      'GRANT ROLE "analyst" TO "app_clone"',
      'GRANT CREATE ON DATABASE "dev" TO "app_clone"',
      'GRANT TEMP ON DATABASE "shared_db" TO "app_clone"',
      'GRANT USAGE ON SCHEMA "sales", "public" TO "app_clone"',
      'GRANT CREATE ON SCHEMA "sales" TO "app_clone"',
      'GRANT SELECT ON TABLE "sales"."orders", "sales"."customers" TO "app_clone"',
      'GRANT INSERT ON TABLE "sales"."orders" TO "app_clone"',
    ]);
    expect(plan.summary).toEqual({ groups: 2, roles: 1, settings: 2, grants: 8 });
    expect(plan.statements.join('\n')).not.toContain(password);
  });

  it('uses GRANT role TO user on PostgreSQL', () => {
    const plan = buildClonePlan({
      dialect: 'postgresql',
      source,
      target: { name: 'app_clone', password },
      privileges,
    });
    expect(plan.statements).toContain('GRANT "analyst" TO "app_clone"');
  });

  it('only changes the password and adds missing memberships when the clone exists', () => {
    const plan = buildClonePlan({
      dialect: 'redshift',
      source: { ...source, connectionLimit: 'UNLIMITED' },
      target: { name: 'app_clone', password },
      existingTarget: { groups: ['readers'], roles: ['analyst'] },
      privileges: {
        ...privileges,
        databases: [],
        schemas: { USAGE: [], CREATE: [] },
        tables: { ...privileges.tables, SELECT: [], INSERT: [] },
      },
    });
    expect(plan.statements).toEqual([
      `ALTER USER "app_clone" PASSWORD '${md5PasswordHash(password, 'app_clone')}'`,
      'ALTER GROUP "writers" ADD USER "app_clone"',
    ]);
  });

  it('never makes the clone a superuser and notes settings it cannot write', () => {
    const plan = buildClonePlan({
      dialect: 'redshift',
      source: { ...source, superuser: true, settings: [['odd', 'a\\b']] },
      target: { name: 'app_clone', password },
      privileges,
    });
    expect(plan.statements.join('\n')).not.toMatch(/SUPERUSER|CREATEUSER/);
    expect(plan.notes.join('\n')).toMatch(/superuser/);
    expect(plan.notes.join('\n')).toMatch(/"odd"/);
  });

  it('splits long table lists into several GRANTs', () => {
    const tables = Array.from({ length: 450 }, (_, index) => ({ schema: 's', name: `t${index}` }));
    const plan = buildClonePlan({
      dialect: 'redshift',
      source: { ...source, groups: [], roles: [], settings: [], connectionLimit: 'UNLIMITED' },
      target: { name: 'c', password },
      privileges: {
        databases: [],
        schemas: { USAGE: [], CREATE: [] },
        tables: { SELECT: tables, INSERT: [], UPDATE: [], DELETE: [], REFERENCES: [] },
      },
    });
    expect(plan.statements.filter((s) => s.startsWith('GRANT SELECT'))).toHaveLength(3);
  });
});

describe('catalog parsing', () => {
  it('reads useconfig from arrays and from the text form', () => {
    expect(parseSettings(['search_path=a, b', 'statement_timeout=10'])).toEqual([
      ['search_path', 'a, b'],
      ['statement_timeout', '10'],
    ]);
    expect(parseSettings('{"search_path=a, b",statement_timeout=10}')).toEqual([
      ['search_path', 'a, b'],
      ['statement_timeout', '10'],
    ]);
    expect(parseSettings(null)).toEqual([]);
  });

  it('parses array literals with quotes, escapes and NULL', () => {
    expect(parseTextArray('{a,"b c","d\\"e",NULL,"NULL"}')).toEqual(['a', 'b c', 'd"e', 'NULL']);
    expect(parseTextArray('{}')).toEqual([]);
    expect(parseTextArray('not an array')).toEqual([]);
  });
});

describe('publicHolds', () => {
  it('reads PUBLIC entries of an ACL, and the default for a NULL one', () => {
    expect(publicHolds('postgres=UC/postgres,=U/postgres', 'U', '')).toBe(true);
    expect(publicHolds('postgres=UC/postgres,=U/postgres', 'C', '')).toBe(false);
    expect(publicHolds('rdsdb=arwdRxt/rdsdb,app=r/rdsdb', 'r', '')).toBe(false);
    expect(publicHolds('=r*/rdsdb', 'r', '')).toBe(true);
    expect(publicHolds('group readers=r/rdsdb', 'r', '')).toBe(false);
    expect(publicHolds(null, 'T', 'Tc')).toBe(true);
    expect(publicHolds(null, 'C', 'Tc')).toBe(false);
    expect(publicHolds(undefined, 'r', '')).toBe(false);
  });
});

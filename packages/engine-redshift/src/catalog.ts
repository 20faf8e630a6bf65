/**
 * What the catalog says about a user: attributes, settings, group and role memberships, and privileges
 * on databases, schemas and tables. The queries run on Redshift and on PostgreSQL (Rotor's test stand-in);
 * where the two differ (connection limit, role membership) each dialect has its own query.
 */
import { EngineError } from '@rotor/core/engine';
import {
  DATABASE_PRIVILEGES,
  type DatabasePrivilege,
  type QualifiedName,
  SCHEMA_PRIVILEGES,
  type SchemaPrivilege,
  TABLE_PRIVILEGES,
  type TablePrivilege,
} from './sql.js';
import type { Row, SqlSession } from './transport.js';

export type Dialect = 'redshift' | 'postgresql';

export interface UserFacts {
  name: string;
  superuser: boolean;
  createdb: boolean;
  /** A number, or 'UNLIMITED'. */
  connectionLimit: number | 'UNLIMITED';
  /** `ALTER USER ... SET` settings, in catalog order. */
  settings: Array<[name: string, value: string]>;
  /** Groups (pg_group). */
  groups: string[];
  /** Roles granted to the user that are not groups (Redshift RBAC roles, PostgreSQL login roles). */
  roles: string[];
}

export interface PrivilegeFacts {
  databases: Array<{ privilege: DatabasePrivilege; database: string }>;
  schemas: Record<SchemaPrivilege, string[]>;
  tables: Record<TablePrivilege, QualifiedName[]>;
}

/** Schemas that belong to the system, never granted. */
const SYSTEM_SCHEMAS = [
  'pg_catalog',
  'information_schema',
  'pg_toast',
  'pg_internal',
  'pg_automv',
  'catalog_history',
];
const SYSTEM_SCHEMA_FILTER = `nspname NOT IN (${SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(', ')}) AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%'`;

export async function detectDialect(session: SqlSession): Promise<Dialect> {
  const rows = await session.query('SELECT version() AS version');
  return /redshift/i.test(String(rows[0]?.version ?? '')) ? 'redshift' : 'postgresql';
}

export async function userExists(session: SqlSession, username: string): Promise<boolean> {
  const rows = await session.query('SELECT usename FROM pg_user WHERE usename = $1', [username]);
  return rows.length > 0;
}

/** The user's attributes and memberships; undefined when there is no such user. */
export async function readUserFacts(
  session: SqlSession,
  dialect: Dialect,
  username: string,
): Promise<UserFacts | undefined> {
  const rows = await session.query(
    'SELECT usename, usesuper, usecreatedb, useconfig FROM pg_user WHERE usename = $1',
    [username],
  );
  const row = rows[0];
  if (!row) return undefined;
  const groups = await session.query(
    'SELECT groname FROM pg_group WHERE (SELECT usesysid FROM pg_user WHERE usename = $1) = ANY(grolist) ORDER BY groname',
    [username],
  );
  return {
    name: username,
    superuser: asBoolean(row.usesuper),
    createdb: asBoolean(row.usecreatedb),
    connectionLimit: await readConnectionLimit(session, dialect, username),
    settings: parseSettings(row.useconfig),
    groups: groups.map((group) => column(group, 'groname')),
    roles: await readRoles(session, dialect, username),
  };
}

async function readConnectionLimit(
  session: SqlSession,
  dialect: Dialect,
  username: string,
): Promise<number | 'UNLIMITED'> {
  const rows =
    dialect === 'redshift'
      ? await session.query('SELECT useconnlimit AS connlimit FROM pg_user_info WHERE usename = $1', [
          username,
        ])
      : await session.query('SELECT rolconnlimit AS connlimit FROM pg_roles WHERE rolname = $1', [username]);
  const raw = rows[0]?.connlimit;
  if (raw === undefined || raw === null) return 'UNLIMITED';
  const text = String(raw).trim().toUpperCase();
  if (text === 'UNLIMITED' || text === '-1' || text === '') return 'UNLIMITED';
  const limit = Number(text);
  return Number.isInteger(limit) && limit >= 0 ? limit : 'UNLIMITED';
}

async function readRoles(session: SqlSession, dialect: Dialect, username: string): Promise<string[]> {
  const rows =
    dialect === 'redshift'
      ? await session.query('SELECT role_name AS role FROM svv_user_grants WHERE user_name = $1 ORDER BY 1', [
          username,
        ])
      : // Roles that cannot log in are groups, already in pg_group.
        await session.query(
          'SELECT r.rolname AS role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1 AND r.rolcanlogin ORDER BY 1',
          [username],
        );
  return rows.map((row) => column(row, 'role'));
}

/** The privileges `username` holds (directly, through groups or PUBLIC) on databases, schemas and tables. */
export async function readPrivileges(session: SqlSession, username: string): Promise<PrivilegeFacts> {
  const databases = await session.query(
    `SELECT datname, array_to_string(datacl, ',') AS acl, has_database_privilege($1, datname, 'CREATE') AS can_create, has_database_privilege($1, datname, 'TEMP') AS can_temp FROM pg_database WHERE datname NOT IN ('template0', 'template1', 'padb_harvest') ORDER BY datname`,
    [username],
  );
  const schemas = await session.query(
    `SELECT nspname, array_to_string(nspacl, ',') AS acl, has_schema_privilege($1, nspname, 'USAGE') AS can_usage, has_schema_privilege($1, nspname, 'CREATE') AS can_create FROM pg_namespace WHERE ${SYSTEM_SCHEMA_FILTER} ORDER BY nspname`,
    [username],
  );
  const tableColumns = TABLE_PRIVILEGES.map(
    (privilege) =>
      `has_table_privilege($1, quote_ident(n.nspname) || '.' || quote_ident(c.relname), '${privilege}') AS can_${privilege.toLowerCase()}`,
  ).join(', ');
  const tables = await session.query(
    `SELECT n.nspname, c.relname, array_to_string(c.relacl, ',') AS acl, ${tableColumns} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND ${SYSTEM_SCHEMA_FILTER.replaceAll('nspname', 'n.nspname')} ORDER BY n.nspname, c.relname`,
    [username],
  );
  const facts: PrivilegeFacts = {
    databases: [],
    schemas: { USAGE: [], CREATE: [] },
    tables: { SELECT: [], INSERT: [], UPDATE: [], DELETE: [], REFERENCES: [] },
  };
  for (const row of databases) {
    for (const privilege of DATABASE_PRIVILEGES) {
      const held = asBoolean(row[privilege === 'CREATE' ? 'can_create' : 'can_temp']);
      if (held && !publicHolds(row.acl, ACL_LETTERS[privilege], DATABASE_PUBLIC_DEFAULT)) {
        facts.databases.push({ privilege, database: column(row, 'datname') });
      }
    }
  }
  for (const row of schemas) {
    for (const privilege of SCHEMA_PRIVILEGES) {
      const held = asBoolean(row[`can_${privilege.toLowerCase()}`]);
      if (held && !publicHolds(row.acl, ACL_LETTERS[privilege], ''))
        facts.schemas[privilege].push(column(row, 'nspname'));
    }
  }
  for (const row of tables) {
    for (const privilege of TABLE_PRIVILEGES) {
      const held = asBoolean(row[`can_${privilege.toLowerCase()}`]);
      if (held && !publicHolds(row.acl, ACL_LETTERS[privilege], '')) {
        facts.tables[privilege].push({ schema: column(row, 'nspname'), name: column(row, 'relname') });
      }
    }
  }
  return facts;
}

/** A name column that must be there: a missing one would otherwise become the string "undefined". */
function column(row: Row, name: string): string {
  const value = row[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new EngineError(`The catalog query returned no "${name}" column; is this Redshift or PostgreSQL?`);
  }
  return value;
}

/** The letters ACLs use for each privilege (`=Tc/owner`: PUBLIC may TEMP and CONNECT). */
const ACL_LETTERS: Record<DatabasePrivilege | SchemaPrivilege | TablePrivilege, string> = {
  CREATE: 'C',
  TEMP: 'T',
  USAGE: 'U',
  SELECT: 'r',
  INSERT: 'a',
  UPDATE: 'w',
  DELETE: 'd',
  REFERENCES: 'x',
};
/** A database without an ACL has the default one, in which PUBLIC may connect and create temporary tables. */
const DATABASE_PUBLIC_DEFAULT = 'Tc';

/**
 * Whether PUBLIC (every user) holds a privilege on an object, from its ACL as text (`a=r/b,=U/b`; NULL means
 * the default ACL, whose PUBLIC letters are `nullDefault`). Such privileges are not granted to a clone:
 * it has them anyway, and AWS's approach of granting every effective privilege floods the catalog.
 */
export function publicHolds(acl: unknown, letter: string, nullDefault: string): boolean {
  if (acl === null || acl === undefined) return nullDefault.includes(letter);
  return String(acl)
    .split(',')
    .some((entry) => entry.startsWith('=') && (entry.split('/')[0] ?? '').includes(letter));
}

/** Booleans arrive as booleans (pg) or as strings / numbers (Data API, older servers). */
export function asBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['t', 'true', '1', 'y', 'yes'].includes(value.toLowerCase());
  return false;
}

/** `useconfig` arrives as an array (pg) or as its text form `{a=1,"search_path=x, y"}` (Data API). */
export function parseSettings(value: unknown): Array<[string, string]> {
  const items = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? parseTextArray(value)
      : [];
  const settings: Array<[string, string]> = [];
  for (const item of items) {
    const separator = item.indexOf('=');
    if (separator > 0) settings.push([item.slice(0, separator), item.slice(separator + 1)]);
  }
  return settings;
}

/** Parses a one-dimensional PostgreSQL array literal of text (unquoted NULL elements are dropped). */
export function parseTextArray(literal: string): string[] {
  const text = literal.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return [];
  const body = text.slice(1, -1);
  if (body.length === 0) return [];
  const items: string[] = [];
  let current = '';
  let quoted = false;
  let itemWasQuoted = false;
  const finish = () => {
    if (itemWasQuoted || current !== 'NULL') items.push(current);
    current = '';
    itemWasQuoted = false;
  };
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index]!;
    if (quoted) {
      if (character === '\\') {
        current += body[index + 1] ?? '';
        index += 1;
      } else if (character === '"') quoted = false;
      else current += character;
    } else if (character === '"') {
      quoted = true;
      itemWasQuoted = true;
    } else if (character === ',') finish();
    else current += character;
  }
  finish();
  return items;
}

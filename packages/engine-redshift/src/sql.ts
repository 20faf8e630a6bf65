/**
 * SQL text for Redshift user management. Everything that ends up in a statement goes through one of
 * the quoting functions here, and passwords only ever appear as their md5 hash: Redshift (and
 * PostgreSQL) store `'md5' || md5(password || username)` as it is, so the clear text never reaches the
 * server, its query log (STL_QUERY, log_statement) or the Data API's statement history.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** `'md5' || md5(password || username)`: the stored form Redshift and PostgreSQL accept in place of a password. */
export function md5PasswordHash(password: string, username: string): string {
  return (
    'md5' +
    createHash('md5')
      .update(password + username, 'utf8')
      .digest('hex')
  );
}

/**
 * A delimited identifier (node-postgres' `escapeIdentifier`: `"` doubled), so any name (spaces, quotes,
 * semicolons) stays one identifier. Empty names and NUL, which no server takes, are refused first.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new RangeError('An SQL identifier cannot be empty');
  if (name.includes('\0')) throw new RangeError('An SQL identifier cannot contain NUL');
  return pg.escapeIdentifier(name);
}

/**
 * A standard string literal (`'` doubled). Backslashes are refused rather than escaped: whether the
 * server reads them as escapes depends on standard_conforming_strings, which differs between
 * PostgreSQL and Redshift's leader node, so no single escaping is safe on both.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new RangeError('An SQL literal cannot contain NUL');
  if (value.includes('\\')) throw new RangeError('An SQL literal cannot contain a backslash');
  // Without a backslash, node-postgres' escapeLiteral writes the standard literal: `'` doubled, no E prefix.
  return pg.escapeLiteral(value);
}

/** The password clause of CREATE USER / ALTER USER: always the md5 hash, never the password. */
function passwordClause(username: string, password: string): string {
  return `PASSWORD ${quoteLiteral(md5PasswordHash(password, username))}`;
}

export function alterUserPassword(username: string, password: string): string {
  return `ALTER USER ${quoteIdent(username)} ${passwordClause(username, password)}`;
}

export function createUser(username: string, password: string, options: { createdb?: boolean } = {}): string {
  return (
    `CREATE USER ${quoteIdent(username)} ${passwordClause(username, password)}` +
    (options.createdb ? ' CREATEDB' : '')
  );
}

export function alterUserConnectionLimit(username: string, limit: number | 'UNLIMITED'): string {
  if (limit !== 'UNLIMITED' && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`Invalid connection limit ${limit}`);
  }
  return `ALTER USER ${quoteIdent(username)} CONNECTION LIMIT ${limit}`;
}

/** Setting names are plain identifiers (`search_path`, `statement_timeout`, `auto_mv.enabled`). */
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * `ALTER USER u SET name TO value`. `search_path` is a list of schema names, each written as an
 * identifier (a single literal would become one schema called "a, b"); other settings are literals.
 */
export function alterUserSetting(username: string, name: string, value: string): string {
  if (!SETTING_NAME.test(name)) throw new RangeError(`Invalid setting name ${JSON.stringify(name)}`);
  const rendered =
    name.toLowerCase() === 'search_path'
      ? splitSettingList(value)
          .map((schema) => quoteIdent(schema))
          .join(', ')
      : quoteLiteral(value);
  return `ALTER USER ${quoteIdent(username)} SET ${name} TO ${rendered}`;
}

/** Splits a list-valued setting as the server prints it (`"$user", public, "my schema"`). */
export function splitSettingList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index]!;
    if (quoted) {
      if (character === '"' && value[index + 1] === '"') {
        current += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else current += character;
    } else if (character === '"') {
      quoted = true;
      started = true;
    } else if (character === ',') {
      items.push(current);
      current = '';
      started = false;
    } else if (character !== ' ' || started) {
      current += character;
      started = true;
    }
  }
  if (started || current.length > 0) items.push(current);
  return items.map((item) => item.trimEnd()).filter((item) => item.length > 0);
}

export function alterGroupAddUser(group: string, username: string): string {
  return `ALTER GROUP ${quoteIdent(group)} ADD USER ${quoteIdent(username)}`;
}

/** Redshift role-based access control: `GRANT ROLE r TO u`. */
export function grantRedshiftRole(role: string, username: string): string {
  return `GRANT ROLE ${quoteIdent(role)} TO ${quoteIdent(username)}`;
}

/** PostgreSQL role membership: `GRANT r TO u`. */
export function grantPostgresRole(role: string, username: string): string {
  return `GRANT ${quoteIdent(role)} TO ${quoteIdent(username)}`;
}

export const DATABASE_PRIVILEGES = ['CREATE', 'TEMP'] as const;
export const SCHEMA_PRIVILEGES = ['USAGE', 'CREATE'] as const;
export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES'] as const;
export type DatabasePrivilege = (typeof DATABASE_PRIVILEGES)[number];
export type SchemaPrivilege = (typeof SCHEMA_PRIVILEGES)[number];
export type TablePrivilege = (typeof TABLE_PRIVILEGES)[number];

/** One statement per database: Redshift refuses a GRANT that mixes datashare and local databases. */
export function grantOnDatabase(privilege: DatabasePrivilege, database: string, username: string): string {
  return `GRANT ${privilege} ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(username)}`;
}

export function grantOnSchemas(
  privilege: SchemaPrivilege,
  schemas: readonly string[],
  username: string,
): string {
  return `GRANT ${privilege} ON SCHEMA ${schemas.map(quoteIdent).join(', ')} TO ${quoteIdent(username)}`;
}

export interface QualifiedName {
  schema: string;
  name: string;
}

export function grantOnTables(
  privilege: TablePrivilege,
  tables: readonly QualifiedName[],
  username: string,
): string {
  const list = tables.map((table) => `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`).join(', ');
  return `GRANT ${privilege} ON TABLE ${list} TO ${quoteIdent(username)}`;
}

/** Splits long object lists so that no single GRANT grows without bound. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/**
 * The statements that make a clone of a user: pure, so what gets copied is testable without a server.
 * AWS's Redshift function copies database, schema and table privileges once; this also copies group and
 * role memberships, CREATEDB, the connection limit and per-user settings such as search_path.
 */
import type { Dialect, PrivilegeFacts, UserFacts } from './catalog.js';
import {
  alterGroupAddUser,
  alterUserConnectionLimit,
  alterUserPassword,
  alterUserSetting,
  chunk,
  createUser,
  grantOnDatabase,
  grantOnSchemas,
  grantOnTables,
  grantPostgresRole,
  grantRedshiftRole,
  SCHEMA_PRIVILEGES,
  TABLE_PRIVILEGES,
} from './sql.js';

/** Objects per GRANT statement. */
const OBJECTS_PER_GRANT = 200;

export interface ClonePlanInput {
  dialect: Dialect;
  source: UserFacts;
  target: { name: string; password: string };
  /** The target's current memberships when it already exists (only missing ones are added). */
  existingTarget?: Pick<UserFacts, 'groups' | 'roles'> | undefined;
  privileges: PrivilegeFacts;
}

export interface ClonePlan {
  statements: string[];
  /** Things deliberately not copied, for the log. */
  notes: string[];
  summary: { groups: number; roles: number; settings: number; grants: number };
}

export function buildClonePlan(input: ClonePlanInput): ClonePlan {
  const { dialect, source, target, privileges, existingTarget } = input;
  const statements: string[] = [];
  const notes: string[] = [];
  if (existingTarget) {
    statements.push(alterUserPassword(target.name, target.password));
  } else {
    statements.push(createUser(target.name, target.password, { createdb: source.createdb }));
    if (source.connectionLimit !== 'UNLIMITED') {
      statements.push(alterUserConnectionLimit(target.name, source.connectionLimit));
    }
  }
  if (source.superuser) {
    notes.push(
      `"${source.name}" is a superuser; the clone is not made one (grant it by hand if that is intended)`,
    );
  }
  let settings = 0;
  if (!existingTarget) {
    for (const [name, value] of source.settings) {
      try {
        statements.push(alterUserSetting(target.name, name, value));
        settings += 1;
      } catch {
        notes.push(`setting ${JSON.stringify(name)} was not copied: its value cannot be written safely`);
      }
    }
  }
  const groups = source.groups.filter((group) => !existingTarget?.groups.includes(group));
  for (const group of groups) statements.push(alterGroupAddUser(group, target.name));
  const roles = source.roles.filter((role) => !existingTarget?.roles.includes(role));
  for (const role of roles) {
    statements.push(
      dialect === 'redshift' ? grantRedshiftRole(role, target.name) : grantPostgresRole(role, target.name),
    );
  }
  let grants = 0;
  for (const { privilege, database } of privileges.databases) {
    statements.push(grantOnDatabase(privilege, database, target.name));
    grants += 1;
  }
  for (const privilege of SCHEMA_PRIVILEGES) {
    for (const schemas of chunk(privileges.schemas[privilege], OBJECTS_PER_GRANT)) {
      statements.push(grantOnSchemas(privilege, schemas, target.name));
      grants += schemas.length;
    }
  }
  for (const privilege of TABLE_PRIVILEGES) {
    for (const tables of chunk(privileges.tables[privilege], OBJECTS_PER_GRANT)) {
      statements.push(grantOnTables(privilege, tables, target.name));
      grants += tables.length;
    }
  }
  return { statements, notes, summary: { groups: groups.length, roles: roles.length, settings, grants } };
}

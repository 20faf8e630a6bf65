import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Raised when a server binary the harness needs is not installed; tests fail with it, never skip. */
export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
  constructor(binary: string, debianPackage: string) {
    super(
      `${binary} not found on PATH: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`,
    );
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function findRedisServer(): string {
  const override = process.env.ROTOR_REDIS_SERVER;
  const found = override
    ? existsSync(override)
      ? override
      : undefined
    : (onPath('redis-server') ?? onPath('valkey-server'));
  if (!found) throw new MissingBinaryError('redis-server', 'redis-server');
  return found;
}

/** Debian installs PostgreSQL's server binaries under /usr/lib/postgresql/<major>/bin, off the PATH. */
export function findPostgresBinDir(): string {
  const override = process.env.ROTOR_PG_BIN_DIR;
  if (override) {
    if (existsSync(join(override, 'initdb')) && existsSync(join(override, 'postgres'))) return override;
    throw new MissingBinaryError(`initdb/postgres in ROTOR_PG_BIN_DIR=${override}`, 'postgresql');
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((entry) => existsSync(join(root, entry, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(root, majors[0], 'bin');
  }
  const initdb = onPath('initdb');
  if (initdb && existsSync(join(initdb, '..', 'postgres'))) return join(initdb, '..');
  throw new MissingBinaryError('initdb/postgres', 'postgresql');
}

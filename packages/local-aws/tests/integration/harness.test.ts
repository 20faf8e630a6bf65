import { connect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  type PostgresServerHandle,
  type RedisServerHandle,
  startCacheServers,
  startPostgresServer,
  startRedisServer,
} from '@rotor/local-aws/harness';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLogin } from '../support/redis-login.ts';

async function pgLogin(connectionString: string, ssl?: pg.ClientConfig['ssl']): Promise<number> {
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: 5000,
    ...(ssl !== undefined ? { ssl } : {}),
  });
  await client.connect();
  try {
    const result = await client.query<{ one: number }>('SELECT 1 AS one');
    return result.rows[0]?.one ?? 0;
  } finally {
    await client.end();
  }
}

describe('startRedisServer', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it('serves on a free port, not the system default', () => {
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toContain(`:${redis.port}`);
  });

  it('accepts the default user with its password', async () => {
    await expect(redisLogin({ port: redis.port }, 'default', redis.password)).resolves.toBe('PONG');
  });

  it('refuses a wrong password (negative control)', async () => {
    await expect(redisLogin({ port: redis.port }, 'default', `${redis.password}x`)).rejects.toThrow(
      /WRONGPASS/,
    );
  });

  it('refuses commands without AUTH', async () => {
    // Raw RESP, so no client library behaviour (ready checks, reconnects) hides the server's answer.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: redis.port });
      socket.on('error', reject);
      socket.on('connect', () => socket.write('*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n'));
      socket.on('data', (chunk) => {
        socket.destroy();
        resolve(chunk.toString('utf8'));
      });
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it('stops and frees its port', async () => {
    const other = await startRedisServer({ password: 'with "quotes" and \\ backslash' });
    await expect(redisLogin({ port: other.port }, 'default', 'with "quotes" and \\ backslash')).resolves.toBe(
      'PONG',
    );
    await other.stop();
    await expect(redisLogin({ port: other.port }, 'default', other.password)).rejects.toThrow();
  });
});

describe('startRedisServer with TLS', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer({ tls: true });
  });
  afterAll(() => redis?.stop());

  const tlsLogin = (password: string, tls: ConnectionOptions) => {
    const client = new Redis({
      port: redis.port,
      host: '127.0.0.1',
      username: 'default',
      password,
      tls,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    let firstError: Error | undefined;
    client.on('error', (error: Error) => {
      firstError ??= error;
    });
    return client
      .connect()
      .then(() => client.ping())
      .catch((error: unknown) => {
        throw firstError ?? error;
      })
      .finally(() => client.disconnect());
  };

  it('accepts AUTH over a verified TLS connection', async () => {
    expect(redis.url.startsWith('rediss://')).toBe(true);
    await expect(tlsLogin(redis.password, { ca: redis.tls!.ca, servername: 'localhost' })).resolves.toBe(
      'PONG',
    );
  });

  it('refuses a wrong password over TLS (negative control)', async () => {
    await expect(
      tlsLogin(`${redis.password}x`, { ca: redis.tls!.ca, servername: 'localhost' }),
    ).rejects.toThrow(/WRONGPASS/);
  });

  it('is refused by a client that verifies against the system CAs (self-signed)', async () => {
    await expect(tlsLogin(redis.password, {})).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('serves no plain-text port', async () => {
    await expect(redisLogin({ port: redis.port }, 'default', redis.password)).rejects.toThrow();
  });
});

describe('startCacheServers with ownCertificate', () => {
  it("serves the named cache with a certificate of its own: refused against caFile's, verified against its own", async () => {
    const servers = await startCacheServers({
      replicationGroups: ['shared', 'own'],
      ownCertificate: ['own'],
    });
    try {
      const own = servers.server('own');
      const shared = servers.server('shared');
      expect(own.tls?.ca).not.toBe(servers.ca);
      await expect(redisLogin({ port: own.port, ca: own.tls?.ca }, 'default', own.password)).resolves.toBe(
        'PONG',
      );
      await expect(redisLogin({ port: own.port, ca: servers.ca }, 'default', own.password)).rejects.toThrow(
        /self[- ]signed|certificate/i,
      );
      // Negative control: the other cache verifies against the shared certificate.
      await expect(
        redisLogin({ port: shared.port, ca: servers.ca }, 'default', shared.password),
      ).resolves.toBe('PONG');
      expect(servers.caches.find((cache) => cache.replicationGroupId === 'own')?.ca).toBe(own.tls?.ca);
    } finally {
      await servers.stop();
    }
  });

  it('refuses an ownCertificate that names no cache', async () => {
    await expect(
      startCacheServers({ replicationGroups: ['orders'], ownCertificate: ['ordres'] }),
    ).rejects.toThrow(/ownCertificate names no cache: ordres/);
  });
});

describe('startPostgresServer', () => {
  let server: PostgresServerHandle;
  beforeAll(async () => {
    server = await startPostgresServer({ logStatements: true });
  });
  afterAll(() => server?.stop());

  it('serves on a free port with the superuser password', async () => {
    expect(server.port).not.toBe(5432);
    await expect(pgLogin(server.connectionString())).resolves.toBe(1);
  });

  it('refuses a wrong password (negative control)', async () => {
    await expect(pgLogin(server.connectionString({ password: 'not-the-password' }))).rejects.toMatchObject({
      code: '28P01',
    });
  });

  it('accepts a user created with an md5 hash, refuses its old password', async () => {
    const admin = new pg.Client({ connectionString: server.connectionString() });
    await admin.connect();
    const { createHash } = await import('node:crypto');
    const md5 = (password: string, user: string) =>
      `md5${createHash('md5')
        .update(password + user)
        .digest('hex')}`;
    await admin.query(`CREATE USER app PASSWORD '${md5('first-Pass1', 'app')}'`);
    await admin.query(`ALTER USER app PASSWORD '${md5('second-Pass2', 'app')}'`);
    await admin.end();
    await expect(pgLogin(server.connectionString({ user: 'app', password: 'second-Pass2' }))).resolves.toBe(
      1,
    );
    await expect(
      pgLogin(server.connectionString({ user: 'app', password: 'first-Pass1' })),
    ).rejects.toMatchObject({
      code: '28P01',
    });
    expect(server.output()).toContain('ALTER USER app PASSWORD');
    expect(server.output()).not.toContain('second-Pass2');
  });

  it('enforces SCRAM when asked: md5-stored passwords no longer log in', async () => {
    const scram = await startPostgresServer({ authMethod: 'scram-sha-256' });
    try {
      await expect(pgLogin(scram.connectionString())).resolves.toBe(1);
      const admin = new pg.Client({ connectionString: scram.connectionString() });
      await admin.connect();
      const { createHash } = await import('node:crypto');
      await admin.query(
        `CREATE USER legacy PASSWORD 'md5${createHash('md5').update('Legacy-pass1legacy').digest('hex')}'`,
      );
      await admin.end();
      await expect(
        pgLogin(scram.connectionString({ user: 'legacy', password: 'Legacy-pass1' })),
      ).rejects.toMatchObject({
        code: '28P01',
      });
    } finally {
      await scram.stop();
    }
  });
});

describe('startPostgresServer with TLS', () => {
  let server: PostgresServerHandle;
  beforeAll(async () => {
    server = await startPostgresServer({ authMethod: 'scram-sha-256', tls: true });
  });
  afterAll(() => server?.stop());

  const sessionUsesTls = async (ssl: pg.ClientConfig['ssl']) => {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: 'postgres',
      ssl,
    });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl as boolean;
    } finally {
      await client.end();
    }
  };

  it('speaks verified TLS with the harness certificate, and plain text still works', async () => {
    expect(server.tls?.caFile).toBeTruthy();
    await expect(sessionUsesTls({ ca: server.tls?.ca, rejectUnauthorized: true })).resolves.toBe(true);
    await expect(sessionUsesTls(false)).resolves.toBe(false);
  });

  it('fails verification against the system CAs (negative control)', async () => {
    await expect(sessionUsesTls({ rejectUnauthorized: true })).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});

describe('startPostgresServer with ownCertificate', () => {
  it('presents its own certificate: the shared one does not verify it, its own does', async () => {
    const [own, shared] = await Promise.all([
      startPostgresServer({ tls: true, ownCertificate: true }),
      startPostgresServer({ tls: true }),
    ]);
    try {
      expect(own.tls?.ca).not.toBe(shared.tls?.ca);
      await expect(
        pgLogin(own.connectionString(), { ca: own.tls?.ca, rejectUnauthorized: true }),
      ).resolves.toBe(1);
      await expect(
        pgLogin(own.connectionString(), { ca: shared.tls?.ca, rejectUnauthorized: true }),
      ).rejects.toThrow(/self[- ]signed|certificate|signature/i);
      // Negative control: the shared certificate verifies the server that presents it.
      await expect(
        pgLogin(shared.connectionString(), { ca: shared.tls?.ca, rejectUnauthorized: true }),
      ).resolves.toBe(1);
    } finally {
      await Promise.all([own.stop(), shared.stop()]);
    }
  });
});

describe("startPostgresServer with tls: 'required'", () => {
  it('refuses plain-text TCP logins and accepts verified TLS ones', async () => {
    const server = await startPostgresServer({ authMethod: 'scram-sha-256', tls: 'required' });
    try {
      const login = (ssl: pg.ClientConfig['ssl']) => pgLogin(server.connectionString(), ssl);
      await expect(login({ ca: server.tls?.ca, rejectUnauthorized: true })).resolves.toBe(1);
      await expect(login(false)).rejects.toMatchObject({ code: '28000' });
    } finally {
      await server.stop();
    }
  });
});

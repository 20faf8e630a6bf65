import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliSettings, CliUsageError, parseCliSettings, redactUrl } from '../../src/cli/options.ts';

const dir = mkdtempSync(join(tmpdir(), 'local-aws-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI settings', () => {
  it('defaults to port 4566, us-east-1, state in memory and embedded servers', () => {
    expect(parseCliSettings([], dir)).toEqual({
      port: 4566,
      region: 'us-east-1',
      accountId: '123456789012',
      rotation: { scheduleCheckMs: 60_000 },
      functions: [],
      auth: { mode: 'none' },
      verbose: false,
      embedded: true,
    });
    expect((parseCliSettings(['--no-embedded'], dir) as CliSettings).embedded).toBe(false);
  });

  it('refuses unknown config keys at every level, naming the key', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ redisURL: 'redis://h:1' }, /^config has unknown key redisURL \(known: /],
      [{ rotation: { maxAttempt: 2 } }, /^config\.rotation has unknown key maxAttempt /],
      [
        { caches: [{ replicationGroupId: 'a', redisUrl: 'redis://h:1', ca: 'x' }] },
        /^config\.caches\[0\] has unknown key ca /,
      ],
      [
        { functions: [{ functionName: 'f', bundlePath: 'b', env: {} }] },
        /^config\.functions\[0\] has unknown key env /,
      ],
      [{ embedded: 'no' }, /^config\.embedded must be true or false$/],
    ];
    for (const [content, message] of cases) {
      const config = join(dir, 'unknown.json');
      writeFileSync(config, JSON.stringify(content));
      expect(() => parseCliSettings(['--config', config], dir)).toThrow(message);
    }
  });

  it('reads the config file, resolving paths against it, and lets flags win', () => {
    const configDir = join(dir, 'conf');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 5000,
        stateFile: 'state.json',
        postgresUrl: 'postgres://admin:pw@127.0.0.1:5432/postgres',
        clusters: { prod: 'postgres://admin:pw@127.0.0.1:5433/postgres' },
        rotation: { maxAttempts: 2, retryDelayMs: 100 },
        functions: [{ functionName: 'rot', bundlePath: 'dist/index.mjs', timeoutSeconds: 60 }],
      }),
    );
    const settings = parseCliSettings(
      ['--config', config, '--port', '0', '--modifying-delay-ms', '250'],
      configDir,
    );
    expect(settings).toMatchObject({
      port: 0,
      stateFile: join(dir, 'state.json'),
      postgresUrl: 'postgres://admin:pw@127.0.0.1:5432/postgres',
      clusters: { prod: 'postgres://admin:pw@127.0.0.1:5433/postgres' },
      modifyingDelayMs: 250,
      rotation: { maxAttempts: 2, retryDelayMs: 100, scheduleCheckMs: 60_000 },
      functions: [{ functionName: 'rot', bundlePath: join(dir, 'dist/index.mjs'), timeoutSeconds: 60 }],
    });
  });

  it('declares ElastiCache caches in the config file, each with its Redis and the CA that verifies it', () => {
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    const config = join(dir, 'caches.json');
    writeFileSync(
      config,
      JSON.stringify({
        caches: [
          { replicationGroupId: 'orders', redisUrl: 'rediss://default:pw@127.0.0.1:6390', caFile: 'ca.pem' },
          { serverlessCacheName: 'sessions', redisUrl: 'rediss://default:pw@127.0.0.1:6391' },
        ],
      }),
    );
    expect((parseCliSettings(['--config', config], dir) as CliSettings).caches).toEqual([
      { replicationGroupId: 'orders', redisUrl: 'rediss://default:pw@127.0.0.1:6390', ca: 'PEM' },
      { serverlessCacheName: 'sessions', redisUrl: 'rediss://default:pw@127.0.0.1:6391' },
    ]);
    const bad = (caches: unknown, message: RegExp) => {
      writeFileSync(config, JSON.stringify({ caches }));
      expect(() => parseCliSettings(['--config', config], dir)).toThrow(message);
    };
    bad(
      [{ redisUrl: 'redis://h:1' }],
      /caches\[0\] needs exactly one of replicationGroupId or serverlessCacheName/,
    );
    bad([{ replicationGroupId: 'a' }], /caches\[0\] needs a redisUrl/);
    bad([{ replicationGroupId: 'a', redisUrl: 'http://h' }], /redisUrl must start with redis:\/\//);
    bad([{ replicationGroupId: 'a', redisUrl: 'redis://h:1', caFile: 'absent.pem' }], /Cannot read/);
    writeFileSync(config, JSON.stringify({ caches: [{ replicationGroupId: 'a', redisUrl: 'redis://h:1' }] }));
    expect(() => parseCliSettings(['--config', config, '--redis-url', 'redis://h:2'], dir)).toThrow(
      /not both/,
    );
  });

  it('refuses bad values with a message naming the flag', () => {
    const fails = (argv: string[], message: RegExp) => {
      expect(() => parseCliSettings(argv, dir)).toThrow(CliUsageError);
      expect(() => parseCliSettings(argv, dir)).toThrow(message);
    };
    fails(['--port', '70000'], /--port must be an integer from 0 to 65535/);
    fails(['--redis-url', 'http://x'], /--redis-url must start with redis:\/\//);
    fails(['--postgres-url', 'not a url'], /--postgres-url is not a URL/);
    fails(['--account-id', '12'], /--account-id must be 12 digits/);
    fails(['--schedule-check-ms', 'soon'], /--schedule-check-ms must be an integer/);
    fails(['--unknown'], /Unknown option/);
    fails(['--config', join(dir, 'absent.json')], /Cannot read --config/);
  });

  it('verifies signatures only with --auth sigv4 and at least one well-formed key', () => {
    const flagKey = [
      '--access-key-id',
      'AKIAFLAG000000000001',
      '--secret-access-key',
      'flag-secret-access-key',
    ];
    expect(parseCliSettings(['--auth', 'sigv4', ...flagKey], dir)).toMatchObject({
      auth: {
        mode: 'sigv4',
        keys: [{ accessKeyId: 'AKIAFLAG000000000001', secretAccessKey: 'flag-secret-access-key' }],
      },
    });
    const config = join(dir, 'auth.json');
    writeFileSync(
      config,
      JSON.stringify({
        auth: 'sigv4',
        accessKeys: [
          { accessKeyId: 'AKIACONFIG0000000001', secretAccessKey: 'config-secret-key-one' },
          { accessKeyId: 'AKIACONFIG0000000002', secretAccessKey: 'config-secret-key-two' },
        ],
      }),
    );
    expect(parseCliSettings(['--config', config, ...flagKey], dir)).toMatchObject({
      auth: {
        mode: 'sigv4',
        keys: [
          { accessKeyId: 'AKIAFLAG000000000001', secretAccessKey: 'flag-secret-access-key' },
          { accessKeyId: 'AKIACONFIG0000000001', secretAccessKey: 'config-secret-key-one' },
          { accessKeyId: 'AKIACONFIG0000000002', secretAccessKey: 'config-secret-key-two' },
        ],
      },
    });

    const fails = (argv: string[], message: RegExp) => {
      expect(() => parseCliSettings(argv, dir)).toThrow(CliUsageError);
      expect(() => parseCliSettings(argv, dir)).toThrow(message);
    };
    fails(['--auth', 'sigv4'], /--auth sigv4 needs an access key/);
    fails(['--auth', 'iam'], /--auth must be none or sigv4/);
    fails(flagKey, /access keys are only used with --auth sigv4/);
    fails(['--auth', 'sigv4', '--access-key-id', 'AKIAFLAG000000000001'], /secret access key must be/);
    fails(
      ['--auth', 'sigv4', '--access-key-id', 'short', '--secret-access-key', 'x'.repeat(20)],
      /access key id/,
    );
    fails(
      ['--config', config, '--access-key-id', 'AKIACONFIG0000000001', '--secret-access-key', 'x'.repeat(20)],
      /configured twice/,
    );
  });

  it('hides passwords in URLs it prints', () => {
    expect(redactUrl('redis://default:s3cret@127.0.0.1:6379')).toBe('redis://default:****@127.0.0.1:6379');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});

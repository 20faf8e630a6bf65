import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserCommand, DescribeUsersCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../src/harness/index.ts';
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import { redisLogin } from '../support/redis-login.ts';

/** `--state-file` keeps ElastiCache users and re-applies them to the Redis behind the next endpoint. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-ec-state-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = (aws: LocalAws) =>
  new ElastiCacheClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { ...aws.credentials },
    maxAttempts: 1,
  });

describe('ElastiCache users in the state file', () => {
  it('survive a restart onto a fresh Redis, with their passwords enforced and never written in clear text', async () => {
    const stateFile = join(dir, 'state.json');
    const password = 'kept-password-000001';
    const firstRedis = await startRedisServer();
    const first = await startLocalAws({ stateFile, elasticache: { redisUrl: firstRedis.url } });
    const ec1 = client(first);
    try {
      await ec1.send(
        new CreateUserCommand({
          UserId: 'app-user',
          UserName: 'app',
          Engine: 'redis',
          AccessString: 'on ~* +@all',
          Passwords: [password],
        }),
      );
    } finally {
      ec1.destroy();
      await first.stop();
      await firstRedis.stop();
    }
    expect(readFileSync(stateFile, 'utf8')).not.toContain(password);

    const secondRedis = await startRedisServer();
    // Negative control: the fresh Redis does not know the user yet.
    await expect(redisLogin(secondRedis.port, 'app', password)).rejects.toThrow(/WRONGPASS/);
    const second = await startLocalAws({ stateFile, elasticache: { redisUrl: secondRedis.url } });
    const ec2 = client(second);
    try {
      const users = await ec2.send(new DescribeUsersCommand({ UserId: 'app-user' }));
      expect(users.Users?.[0]).toMatchObject({
        UserName: 'app',
        Status: 'active',
        Authentication: { PasswordCount: 1 },
      });
      expect(await redisLogin(secondRedis.port, 'app', password)).toBe('PONG');
      await expect(redisLogin(secondRedis.port, 'app', 'wrong-password-00001')).rejects.toThrow(/WRONGPASS/);
    } finally {
      ec2.destroy();
      await second.stop();
      await secondRedis.stop();
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { startLocalAws } from '@rotor/local-aws';
import { startCacheServers } from '@rotor/local-aws/harness';
import { describe, expect, it } from 'vitest';
import { redisLogin } from '../support/redis-login.ts';

/** `--state-file` keeps ElastiCache users, groups and associations, and re-applies them to the next caches. */
const P1 = 'first-password-0001';
const P2 = 'second-password-0002';
const P3 = 'third-password-00003';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('ElastiCache users in the state file', () => {
  it('a restarted endpoint re-applies its users and associations, digests only, to fresh Redis servers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-ec-state-'));
    const stateFile = join(dir, 'state.json');
    const before = await startCacheServers({ replicationGroups: ['kept-rg'] });
    const after = await startCacheServers({ replicationGroups: ['kept-rg'] });
    const fresh = { port: after.server('kept-rg').port, ca: after.ca };
    try {
      const first = await startLocalAws({ stateFile, elasticache: { caches: before.caches } });
      const client = new ElastiCacheClient({
        endpoint: first.endpoint,
        region: first.region,
        credentials: first.credentials,
      });
      await client.send(
        new CreateUserCommand({
          UserId: 'kept',
          UserName: 'kept',
          Engine: 'redis',
          AccessString: 'on ~* +@all',
          Passwords: [P1, P2],
        }),
      );
      await client.send(
        new CreateUserGroupCommand({ UserGroupId: 'kept-g', Engine: 'redis', UserIds: ['default', 'kept'] }),
      );
      await client.send(
        new ModifyReplicationGroupCommand({ ReplicationGroupId: 'kept-rg', UserGroupIdsToAdd: ['kept-g'] }),
      );
      client.destroy();
      await first.stop();
      const saved = readFileSync(stateFile, 'utf8');
      expect(saved).toContain(sha256(P1));
      expect(saved).not.toContain(P1);

      await expect(redisLogin(fresh, 'kept', P1)).rejects.toThrow(/WRONGPASS/);
      const second = await startLocalAws({ stateFile, elasticache: { caches: after.caches } });
      try {
        const again = new ElastiCacheClient({
          endpoint: second.endpoint,
          region: second.region,
          credentials: second.credentials,
        });
        const described = await again.send(new DescribeUsersCommand({ UserId: 'kept' }));
        expect(described.Users?.[0]).toMatchObject({
          Status: 'active',
          UserGroupIds: ['kept-g'],
          Authentication: { PasswordCount: 2 },
        });
        const groups = await again.send(
          new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'kept-rg' }),
        );
        expect(groups.ReplicationGroups?.[0]?.UserGroupIds).toEqual(['kept-g']);
        again.destroy();
        await expect(redisLogin(fresh, 'kept', P1)).resolves.toBe('PONG');
        await expect(redisLogin(fresh, 'kept', P2)).resolves.toBe('PONG');
        await expect(redisLogin(fresh, 'kept', P3)).rejects.toThrow(/WRONGPASS/);
      } finally {
        await second.stop();
      }
    } finally {
      await Promise.all([before.stop(), after.stop()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The RDS lookup is a chunk the engine loads on first use (decision 0083): a load that fails (a deployment
 * fault, a full /tmp) fails that step with the error and is tried again by the next, never remembered.
 */
import { postgresEngine } from '@rotor/engine-postgres';
import { stepContext, TEST_FUNCTION_SCOPE } from '@rotor/testkit';
import { expect, it, vi } from 'vitest';
import { fakeServer } from './support/fake-server.ts';

const chunk = vi.hoisted(() => ({ loads: 0 }));
vi.mock('../../src/rds-lookup.ts', async (importOriginal) => {
  chunk.loads += 1;
  if (chunk.loads === 1) throw new Error('the chunk could not be loaded');
  return importOriginal();
});

it('a failed load of the RDS lookup is not remembered: the next step loads it again', async () => {
  const server = fakeServer({
    logins: { admin: 'Admin-Password-1' },
    roles: { app: { oid: 1, rolinherit: true, rolcreatedb: false, rolconnlimit: -1 } },
  });
  const send = vi.fn(async () => ({
    DBInstances: [{ Endpoint: { Address: 'db.internal', Port: 5432 }, Engine: 'postgres' }],
  }));
  const engine = postgresEngine({
    allowedHosts: ['db.internal'],
    clientFactory: server.factory,
    rds: { client: { send } },
  });
  const change = () =>
    engine.setPasswords(
      {
        user: { host: 'db.internal', username: 'app', password: 'New-Password-1' },
        passwords: ['New-Password-1'],
        principal: {
          kind: 'admin',
          admin: {
            secretId: 'arn:managed',
            value: { username: 'admin', password: 'Admin-Password-1' },
            readTags: async () => ({
              'aws:rds:primaryDBInstanceArn': `arn:aws:rds:us-east-1:${TEST_FUNCTION_SCOPE.accountId}:db:orders`,
            }),
          },
        },
      },
      stepContext(),
    );
  // Vitest wraps what a mock factory throws; the load's own error is the cause.
  await expect(change()).rejects.toMatchObject({ cause: { message: 'the chunk could not be loaded' } });
  expect(server.configs).toEqual([]);
  await expect(change()).resolves.toEqual({ status: 'changed' });
  expect(send).toHaveBeenCalledTimes(1);
});

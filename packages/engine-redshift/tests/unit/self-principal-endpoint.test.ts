/**
 * A change made as the user itself (single user) connects only where the function allows, like every other
 * session: a secret naming another host is refused before anything connects there. A sampled mutant (issue 19,
 * bench/results/mutation-redshift.md, redshift-sessions.ts:289) that took the self session's host from the secret
 * survived every test before this one.
 */
import { createServer, type Server } from 'node:net';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext } from '../support/step-context.ts';

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const OLD = 'Old1PasswordAbcdef';
const NEW = 'New1PasswordAbcdef';

function userAt(allowed: string[]) {
  const engine = redshiftEngine({ pg: { tls: 'disable', connectTimeoutMs: 1_000 }, allowedHosts: allowed });
  const user = redshiftSecretSchema.parse({
    engine: 'redshift',
    host: '127.0.0.1',
    port,
    username: 'app',
    password: OLD,
    dbname: 'dev',
  });
  return { engine, user };
}

describe('a self change names a host the function does not allow', () => {
  it('setPasswords as the user is INVALID_SECRET and nothing connects there', async () => {
    const { engine, user } = userAt(['127.0.0.1:1']);
    connections = 0;
    await expect(
      engine.setPasswords(
        { user: { ...user, password: NEW }, passwords: [NEW], principal: { kind: 'self', secret: user } },
        stepContext({}),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET', retryable: false });
    expect(connections).toBe(0);
  });

  it('negative control: with the host allowed, the same call does connect there', async () => {
    const { engine, user } = userAt([`127.0.0.1:${port}`]);
    connections = 0;
    await expect(
      engine.setPasswords(
        { user: { ...user, password: NEW }, passwords: [NEW], principal: { kind: 'self', secret: user } },
        stepContext({}),
      ),
    ).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    expect(connections).toBeGreaterThan(0);
  });
});

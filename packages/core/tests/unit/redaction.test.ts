import { MockSecretsManager } from '@rotor/testkit/secrets-manager';
import { describe, expect, it } from 'vitest';
import { createRotationHandler } from '../../src/handler.ts';
import { createSecretsManagerStore } from '../../src/store/secrets-manager-store.ts';
import { createFakeEngine, FakeTarget } from './support/fake-engine.ts';
import { capturingLogger, rotate } from './support/rotation-driver.ts';

const ORIGINAL = 'Original-Password-1';
const ADMIN = 'Admin-Password-123';

/** Every password any version of the secret (and the admin secret) ever held. */
function allPasswords(sm: MockSecretsManager, ...secretIds: string[]): string[] {
  const found = new Set<string>([ORIGINAL, ADMIN]);
  for (const secretId of secretIds) {
    for (const version of sm.model.find(secretId).versions) {
      if (!version.value) continue;
      const password = (JSON.parse(version.value) as { password?: string }).password;
      if (password) found.add(password);
    }
  }
  return [...found];
}

describe('No secret material in logs or errors', () => {
  it.each([
    ['single-user', { passwordsPerUser: 1 as const }, false],
    ['dual-password', { passwordsPerUser: 2 as const }, false],
    ['alternating-users', { passwordsPerUser: 1 as const }, true],
  ])(
    '%s: three rotations log at debug level without any password',
    async (_name, capabilities, alternating) => {
      const sm = new MockSecretsManager();
      const target = new FakeTarget();
      target.addUser('app', [ORIGINAL]);
      target.addUser('admin', [ADMIN], { admin: true });
      const adminArn = sm.createSecret('admin', { username: 'admin', password: ADMIN });
      const secretId = sm.createSecret('app', {
        username: 'app',
        password: ORIGINAL,
        ...(alternating ? { masterarn: adminArn } : {}),
      });
      const { logger, lines } = capturingLogger();
      const handler = createRotationHandler({
        engine: createFakeEngine(target, { capabilities }),
        store: createSecretsManagerStore({ client: sm.client }),
        logger,
      });
      for (let i = 0; i < 3; i += 1) await rotate(handler, sm, secretId);

      const passwords = allPasswords(sm, secretId, adminArn);
      expect(passwords.length).toBeGreaterThanOrEqual(4);
      expect(lines.length).toBeGreaterThan(0);
      const log = lines.join('\n');
      for (const password of passwords) expect(log).not.toContain(password);
    },
  );

  it('scrubs a password an engine puts in its own error, in the thrown error and in the log', async () => {
    const sm = new MockSecretsManager();
    const target = new FakeTarget();
    target.addUser('app', [ORIGINAL]);
    const secretId = sm.createSecret('app', { username: 'app', password: ORIGINAL });
    const { logger, lines } = capturingLogger();
    const handler = createRotationHandler({
      engine: createFakeEngine(target, {
        capabilities: { passwordsPerUser: 1 },
        // A careless driver that echoes its input, as some database errors do.
        failSetPasswordsWith: (password) =>
          new Error(`ALTER USER app PASSWORD '${password}' failed near '${ORIGINAL}'`),
      }),
      store: createSecretsManagerStore({ client: sm.client }),
      logger,
    });
    const token = 'token-scrub-0000000000000000000000000';
    sm.startRotation(secretId, token);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    const pending = (sm.valueAt(secretId, 'AWSPENDING') as { password: string }).password;

    const error = await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token }).then(
      () => undefined,
      (caught: unknown) => caught as Error & { cause?: unknown; code?: string },
    );
    expect(error).toBeDefined();
    expect(error?.code).toBe('ENGINE_FAILED');
    const everything = [
      error?.message,
      error?.stack,
      String(error?.cause),
      (error?.cause as Error | undefined)?.stack,
      JSON.stringify(error),
      lines.join('\n'),
    ].join('\n');
    expect(everything).toContain('ALTER USER app PASSWORD');
    expect(everything).not.toContain(pending);
    expect(everything).not.toContain(ORIGINAL);
    // Nothing moved: the failed step left AWSCURRENT where it was.
    expect(sm.valueAt(secretId, 'AWSCURRENT')).toMatchObject({ password: ORIGINAL });
  });
});

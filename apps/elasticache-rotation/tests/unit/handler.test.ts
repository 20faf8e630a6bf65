import { afterEach, describe, expect, it, vi } from 'vitest';

/** The handler reads its environment at import (cold start), so each case imports a fresh copy. */
async function coldStart(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  return (await import('../../src/handler.ts')).handler;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/ec/user1-eaFois';
// Nothing listens here: a handler that called Secrets Manager would fail with a different error.
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

describe('handler', () => {
  it('fails every invocation with the configuration error when the environment is invalid', async () => {
    const handler = await coldStart({ PASSWORD_LENGTH: '8', SECRETS_MANAGER_ENDPOINT: DEAD_ENDPOINT });
    const event = { Step: 'createSecret', SecretId: SECRET, ClientRequestToken: 'a'.repeat(36) };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(handler(event)).rejects.toMatchObject({
        code: 'INVALID_CONFIGURATION',
        message: expect.stringContaining('PASSWORD_LENGTH'),
      });
    }
  });

  it('refuses another secret than SECRET_ARN before any AWS call', async () => {
    const handler = await coldStart({ SECRET_ARN: SECRET, SECRETS_MANAGER_ENDPOINT: DEAD_ENDPOINT });
    await expect(
      handler({
        Step: 'createSecret',
        SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf',
        ClientRequestToken: 'a'.repeat(36),
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining('SECRET_ARN'),
    });
  });

  it('rejects a malformed event with INVALID_EVENT', async () => {
    const handler = await coldStart({ SECRETS_MANAGER_ENDPOINT: DEAD_ENDPOINT });
    await expect(handler({ Step: 'dropTables', SecretId: SECRET })).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
  });
});

import { InvalidConfigurationError } from '@rotor/core/engine';
import { redshiftEngine, redshiftSecretSchema } from '@rotor/engine-redshift';
import { describe, expect, it } from 'vitest';
import { stepContext } from '../support/step-context.ts';

describe('redshiftEngine', () => {
  it('registers with contract v2 and the capabilities of a one-password, clonable engine', () => {
    const engine = redshiftEngine();
    expect(engine.contractVersion).toBe(2);
    expect(engine.engineId).toBe('redshift');
    expect(engine).toMatchObject({
      passwordsPerUser: 1,
      canCloneUsers: true,
      asyncChanges: false,
      changeAuthority: 'credentials',
    });
    expect(engine.passwordPolicy.length).toBe(32);
  });

  it.each([
    [{ transport: 'ssh' }, /transport/],
    [{ pg: { tls: 'maybe' } }, /pg\.tls/],
    [{ pg: { connectTimeoutMs: 5 } }, /connectTimeoutMs/],
    [{ clusterIdentifier: 'a', workgroupName: 'b' }, /not both/],
    [{ allowedHosts: ['admin@db.internal'] }, /not a host/],
    [{ allowedHosts: [] }, /allowedHosts/],
    [{ dataApi: { endpoint: 'not a url' } }, /endpoint/],
    [{ password: { length: 65 } }, /8-64/],
    [{ password: { length: 7 } }, /8-64/],
    [{ unknownOption: true }, /unknownOption|Unrecognized/],
  ])('refuses options %j at construction', (options, message) => {
    expect(() => redshiftEngine(options as never)).toThrow(InvalidConfigurationError);
    expect(() => redshiftEngine(options as never)).toThrow(message);
  });

  it('refuses more than one password (Redshift users hold one)', async () => {
    const engine = redshiftEngine({ pg: { tls: 'disable' } });
    const user = redshiftSecretSchema.parse({
      engine: 'redshift',
      host: '127.0.0.1',
      username: 'app',
      password: 'Xx1xxxxxxx',
    });
    await expect(
      engine.setPasswords(
        { user, passwords: ['Aa1aaaaaaa', 'Bb2bbbbbbb'], principal: { kind: 'self', secret: user } },
        stepContext(),
      ),
    ).rejects.toThrow(/exactly one password/);
  });

  it('refuses a self principal that is not the user being changed', async () => {
    const engine = redshiftEngine({ pg: { tls: 'disable' } });
    const user = redshiftSecretSchema.parse({
      engine: 'redshift',
      host: '127.0.0.1',
      username: 'app',
      password: 'Xx1xxxxxxx',
    });
    const other = { ...user, host: '10.9.9.9' };
    await expect(
      engine.setPasswords(
        { user, passwords: ['Aa1aaaaaaa'], principal: { kind: 'self', secret: other } },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET' });
  });

  it('maps an unreachable host to a retryable EngineUnavailableError within the connect timeout', async () => {
    const engine = redshiftEngine({
      pg: { tls: 'disable', connectTimeoutMs: 500 },
      allowedHosts: ['127.0.0.1:1'],
    });
    // Port 1 on loopback: nothing listens there.
    const user = redshiftSecretSchema.parse({
      engine: 'redshift',
      host: '127.0.0.1',
      port: 1,
      username: 'app',
      password: 'Xx1xxxxxxx',
    });
    const started = Date.now();
    await expect(engine.login({ user: user }, stepContext())).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

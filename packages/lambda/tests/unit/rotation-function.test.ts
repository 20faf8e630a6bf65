import { InvalidConfigurationError } from '@rotor/core';
import { defineEngine } from '@rotor/core/engine';
import { createRotationFunction } from '@rotor/lambda';
import { describe, expect, it } from 'vitest';
import { sampleEngineBase } from './support/sample-engine.ts';

function recordingLogger() {
  const lines: string[] = [];
  const contexts: unknown[] = [];
  const extras: unknown[] = [];
  const record =
    (level: string) =>
    (message: string, ...extra: unknown[]) => {
      lines.push(`${level} ${message}`);
      extras.push(...extra);
    };
  return {
    lines,
    contexts,
    extras,
    logger: {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      addContext: (context: unknown) => contexts.push(context),
    },
  };
}

const engine = defineEngine({
  ...sampleEngineBase,
  asyncChanges: false,
  login: async () => ({ status: 'accepted' }),
  setPasswords: async () => ({ status: 'changed' }),
});

describe('createRotationFunction', () => {
  it('a bad configuration is logged once at cold start and fails every invocation with that error', async () => {
    const { logger, lines } = recordingLogger();
    const problem = new InvalidConfigurationError('PASSWORD_LENGTH: must be between 8 and 64');
    const handler = createRotationFunction({
      functionName: 'Sample',
      logger,
      setup: () => {
        throw problem;
      },
    });
    await expect(handler({})).rejects.toBe(problem);
    await expect(handler({})).rejects.toBe(problem);
    expect(lines.filter((line) => line.includes('misconfigured'))).toEqual([
      'error The Sample rotation function is misconfigured',
    ]);
  });

  it('passes events to core (which validates them) with the Lambda context on the logger', async () => {
    const { logger, lines, contexts } = recordingLogger();
    const handler = createRotationFunction({
      functionName: 'Sample',
      logger,
      setup: () => ({ handler: { engine }, ready: { strategy: 'auto' } }),
    });
    expect(lines).toContain('info Sample rotation function ready');
    const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 };
    await expect(handler({ Step: 'nope' }, context)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(contexts).toEqual([context]);
  });

  it('beforeRotate refuses an event before core (and any AWS call) sees it', async () => {
    const { logger, lines } = recordingLogger();
    const handler = createRotationFunction({
      functionName: 'Sample',
      logger,
      setup: () => ({
        handler: { engine },
        beforeRotate: () => {
          throw new InvalidConfigurationError('This function rotates only arn:a; it was invoked for arn:b');
        },
      }),
    });
    await expect(
      handler({
        Step: 'createSecret',
        SecretId: 'arn:b',
        ClientRequestToken: 'token-00000000000000000000000000000',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(lines).toContain('error This function rotates only arn:a; it was invoked for arn:b');
  });

  it('names every connection and the login test at cold start; warns of each downgrade on every invocation', async () => {
    const { logger, lines, extras } = recordingLogger();
    const connections = [
      { name: 'cache data plane', transport: 'plaintext' as const, setting: 'ROTOR_CACHE_TLS=false' },
      { name: 'control plane', transport: 'verified-tls' as const },
    ];
    const handler = createRotationFunction({
      functionName: 'Sample',
      logger,
      setup: () => ({ handler: { engine, loginTest: 'off' }, connections }),
    });
    expect(extras).toContainEqual({ connections, loginTest: 'off' });
    const warning =
      'warn TLS downgrade: the cache data plane connection uses no TLS (passwords in clear text) because of ROTOR_CACHE_TLS=false';
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([]);
    await expect(handler({ Step: 'nope' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    await expect(handler({ Step: 'nope' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([warning, warning]);
  });

  it('logs no warning when every connection verifies TLS', async () => {
    const { logger, lines } = recordingLogger();
    const handler = createRotationFunction({
      functionName: 'Sample',
      logger,
      setup: () => ({
        handler: { engine },
        connections: [{ name: 'Redshift (pg)', transport: 'verified-tls' }],
      }),
    });
    await expect(handler({ Step: 'nope' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });
});

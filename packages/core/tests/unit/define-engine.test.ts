import { defineEngine, ENGINE_CONTRACT_VERSION, type RotationEngine } from '@rotor/core/engine';
import { InvalidConfigurationError } from '@rotor/core/errors';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakePolicy } from './support/fake-engine.ts';

function valid(): RotationEngine {
  return {
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'sample-db',
    secretSchema: z.looseObject({ username: z.string(), password: z.string().optional() }),
    passwordPolicy: fakePolicy,
    capabilities: {
      maxPasswordsPerUser: 1,
      canCloneUsers: false,
      asyncChanges: false,
      changeAuthority: 'credentials',
    },
    login: async () => ({ status: 'accepted' }),
    setPasswords: async () => {},
  };
}

describe('defineEngine', () => {
  it('accepts a well-formed engine and freezes it', () => {
    const engine = defineEngine(valid());
    expect(Object.isFrozen(engine)).toBe(true);
    expect(engine.engineId).toBe('sample-db');
  });

  it.each([
    ['an unknown contract version', { contractVersion: 2 }, /contractVersion 2 is not supported/],
    ['a bad id', { engineId: 'Sample DB' }, /engineId must be a lower-case id/],
    ['no login()', { login: undefined }, /login\(\) is missing/],
    [
      'clone claimed without cloneUser()',
      { capabilities: { ...valid().capabilities, canCloneUsers: true } },
      /canCloneUsers is true but cloneUser\(\) is missing/,
    ],
    [
      'async changes without waitUntilApplied()',
      { capabilities: { ...valid().capabilities, asyncChanges: true } },
      /asyncChanges is true but waitUntilApplied\(\) is missing/,
    ],
    ['three passwords', { capabilities: { ...valid().capabilities, maxPasswordsPerUser: 3 } }, /1 or 2/],
    ['a length outside its own limits', { passwordPolicy: { ...fakePolicy, length: 200 } }, /length/],
    [
      'a policy that excludes every class',
      {
        passwordPolicy: {
          ...fakePolicy,
          excludeUppercase: true,
          excludeLowercase: true,
          excludeNumbers: true,
          excludePunctuation: true,
        },
      },
      /./,
    ],
  ])('refuses %s at construction with InvalidConfigurationError', (_name, override, message) => {
    const engine = { ...valid(), ...override } as unknown as RotationEngine;
    expect(() => defineEngine(engine)).toThrow(InvalidConfigurationError);
    expect(() => defineEngine(engine)).toThrow(message);
  });
});

describe('error names', () => {
  it('survive minification: every error class names itself explicitly', async () => {
    const errors = await import('@rotor/core/errors');
    for (const [exported, value] of Object.entries(errors)) {
      if (typeof value !== 'function' || !exported.endsWith('Error')) continue;
      const ErrorClass = value as new (...args: unknown[]) => Error;
      const instance =
        exported === 'RotationError' ? new ErrorClass('ENGINE_FAILED', 'x') : new ErrorClass('x');
      expect(instance.name).toBe(exported);
    }
  });
});

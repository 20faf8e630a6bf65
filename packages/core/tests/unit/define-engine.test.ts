import { createRotationHandler } from '@rotor/core';
import {
  awsErrorName,
  classifyAwsError,
  DEFAULT_PASSWORD_POLICY,
  defineEngine,
  definePasswordPolicy,
  ENGINE_CONTRACT_VERSION,
  parseOptions,
  type RotationEngine,
} from '@rotor/core/engine';
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
    passwordsPerUser: 1,
    changeAuthority: 'credentials',
    canCloneUsers: false,
    asyncChanges: false,
    login: async () => ({ status: 'accepted' }),
    setPasswords: async () => ({ status: 'changed' }),
  };
}

describe('defineEngine', () => {
  it('accepts a well-formed engine and freezes it', () => {
    const engine = defineEngine(valid());
    expect(Object.isFrozen(engine)).toBe(true);
    expect(engine.engineId).toBe('sample-db');
  });

  it.each([
    [
      'an unknown contract version',
      { contractVersion: 3 },
      /speaks contract version 3, but this @rotor\/core speaks engine contract version 2 only/,
    ],
    ['no contract version', { contractVersion: undefined }, /declares no contractVersion/],
    ['a bad id', { engineId: 'Sample DB' }, /engineId must be a lower-case id/],
    ['no login()', { login: undefined }, /login\(\) is missing/],
    [
      'clone claimed without cloneUser()',
      { canCloneUsers: true },
      /canCloneUsers is true but cloneUser\(\) is missing/,
    ],
    [
      'async changes without waitUntilApplied()',
      { asyncChanges: true },
      /asyncChanges is true but waitUntilApplied\(\) is missing/,
    ],
    ['three passwords', { passwordsPerUser: 3 }, /passwordsPerUser must be 1 or 2/],
    [
      'cloneUser() without the capability',
      { cloneUser: async () => ({ status: 'created' }) },
      /cloneUser\(\) is given but canCloneUsers is false/,
    ],
    ['v1 capabilities', { capabilities: {} }, /`capabilities` belongs to contract v1/],
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

describe('defineEngine and createRotationHandler with a v1 engine', () => {
  // What an engine built against contract v1 looked like.
  const v1Engine = () => ({
    contractVersion: 1,
    engineId: 'old-db',
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
  });

  it('refuses it at construction, saying what changed in v2', () => {
    const attempt = () => defineEngine(v1Engine() as unknown as RotationEngine);
    expect(attempt).toThrow(InvalidConfigurationError);
    expect(attempt).toThrow(
      /Engine "old-db" speaks contract version 1, but this @rotor\/core speaks engine contract version 2 only/,
    );
    expect(attempt).toThrow(/`capabilities` is gone: declare `passwordsPerUser` \(was maxPasswordsPerUser\)/);
    expect(attempt).toThrow(/one request object and returns one result object: `login\(\{ user \}\)`/);
  });

  it('refuses it in createRotationHandler too (an engine made by an older core)', () => {
    const attempt = () => createRotationHandler({ engine: v1Engine() as unknown as RotationEngine });
    expect(attempt).toThrow(InvalidConfigurationError);
    expect(attempt).toThrow(/speaks contract version 1.*What changed in v2/);
  });
});

describe('definePasswordPolicy', () => {
  it('fills in the defaults and freezes the policy', () => {
    const policy = definePasswordPolicy({ maxLength: 64, excludeCharacters: '@' });
    expect(policy).toEqual({ ...DEFAULT_PASSWORD_POLICY, maxLength: 64, excludeCharacters: '@' });
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it('refuses a policy no password can satisfy, naming the problem', () => {
    expect(() => definePasswordPolicy({ length: 200 })).toThrow(InvalidConfigurationError);
    expect(() => definePasswordPolicy({ length: 200 })).toThrow(
      /password length 200 is outside the allowed range 8..128/,
    );
    expect(() =>
      definePasswordPolicy({
        excludeUppercase: true,
        excludeLowercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      }),
    ).toThrow(/excludes every character/);
  });
});

describe('parseOptions', () => {
  const schema = z.strictObject({ port: z.number().int().min(1), tls: z.boolean().default(true) });

  it('returns the parsed value with defaults', () => {
    expect(parseOptions(schema, { port: 5 }, 'Sample options')).toEqual({ port: 5, tls: true });
  });

  it("throws one configuration error in zod's words, naming each problem and its path", () => {
    const attempt = () => parseOptions(schema, { port: 0, extra: 'Hunter2-Secret' }, 'Sample options');
    expect(attempt).toThrow(InvalidConfigurationError);
    expect(attempt).toThrow(
      'Invalid Sample options:\n✖ Unrecognized key: "extra"\n✖ Too small: expected number to be >=1\n  → at port',
    );
    expect(attempt).not.toThrow(/Hunter2/);
  });
});

describe('classifyAwsError', () => {
  const awsError = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each([
    ['ThrottlingException', {}, 'throttled', true],
    ['SomeError', { $retryable: { throttling: true } }, 'throttled', true],
    ['InternalFailure', {}, 'unavailable', true],
    ['SomeError', { $metadata: { httpStatusCode: 503 } }, 'unavailable', true],
    ['SomeError', { $fault: 'server' }, 'unavailable', true],
    ['TimeoutError', {}, 'unavailable', true],
    ['UserNotFoundFault', {}, 'not-found', false],
    ['ResourceNotFoundException', {}, 'not-found', false],
    ['AccessDeniedException', {}, 'access-denied', false],
    ['ServiceLinkedRoleNotFoundFault', {}, 'access-denied', false],
    ['ExpiredTokenException', {}, 'credentials', false],
    ['ValidationException', { $metadata: { httpStatusCode: 400 } }, 'other', false],
  ])('%s %j is %s (retryable %s)', (name, extra, kind, retryable) => {
    expect(classifyAwsError(awsError(name, extra))).toMatchObject({ name, kind, retryable });
  });

  it('names Node network errors by their code', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyAwsError(reset)).toMatchObject({
      name: 'ECONNRESET',
      kind: 'unavailable',
      retryable: true,
    });
    expect(awsErrorName('not an error')).toBe('UnknownError');
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

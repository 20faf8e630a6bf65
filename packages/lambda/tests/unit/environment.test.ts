import {
  optionalBoolean,
  optionalInteger,
  parseEnvironment,
  rotationEnvironmentShape,
  rotationSettings,
} from '@rotor/lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';

const schema = z.object({
  ...rotationEnvironmentShape(['auto', 'single-user', 'alternating-users']),
  ROTOR_TIMEOUT_MS: optionalInteger(100, 60_000),
  ROTOR_TLS: optionalBoolean,
});

describe('parseEnvironment', () => {
  it('applies defaults; empty variables count as unset, as the Lambda console leaves them', () => {
    const parsed = parseEnvironment(schema, { ROTOR_STRATEGY: '', ROTOR_TIMEOUT_MS: ' ' }, 'Test');
    expect(rotationSettings(parsed)).toEqual({
      secretsManagerEndpoint: undefined,
      strategy: 'auto',
      passwordSource: 'local',
      deadlineMarginMs: undefined,
      loginTest: 'required',
    });
    expect(parsed.ROTOR_TIMEOUT_MS).toBeUndefined();
  });

  it('reads the shared variables and typed values', () => {
    const parsed = parseEnvironment(
      schema,
      {
        SECRETS_MANAGER_ENDPOINT: 'https://secretsmanager.eu-west-1.amazonaws.com',
        ROTOR_STRATEGY: 'alternating-users',
        ROTOR_PASSWORD_SOURCE: 'secrets-manager',
        ROTOR_DEADLINE_MARGIN_MS: '8000',
        ROTOR_LOGIN_TEST: 'off',
        ROTOR_TIMEOUT_MS: '2500',
        ROTOR_TLS: 'No',
      },
      'Test',
    );
    expect(parsed).toMatchObject({
      ROTOR_STRATEGY: 'alternating-users',
      ROTOR_TIMEOUT_MS: 2500,
      ROTOR_TLS: false,
    });
    expect(rotationSettings(parsed)).toMatchObject({ deadlineMarginMs: 8000, loginTest: 'off' });
  });

  it('names every bad variable in one error, without echoing values', () => {
    const secretish = 'https://user:Hunter2-secret@example';
    let caught: unknown;
    try {
      parseEnvironment(
        schema,
        {
          SECRETS_MANAGER_ENDPOINT: 'not a url Hunter2-secret',
          ROTOR_STRATEGY: 'dual-password',
          ROTOR_TIMEOUT_MS: '12.5',
          ROTOR_TLS: 'maybe',
          UNRELATED: secretish,
        },
        'Test',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'INVALID_CONFIGURATION', name: 'InvalidConfigurationError' });
    const message = (caught as Error).message;
    expect(message).toMatch(/^Invalid environment for the Test rotation function:\n✖ /);
    for (const name of ['SECRETS_MANAGER_ENDPOINT', 'ROTOR_STRATEGY', 'ROTOR_TIMEOUT_MS', 'ROTOR_TLS']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('Hunter2');
  });

  it('refuses numbers outside their range', () => {
    expect(() => parseEnvironment(schema, { ROTOR_DEADLINE_MARGIN_MS: '999999' }, 'Test')).toThrow(
      /ROTOR_DEADLINE_MARGIN_MS/,
    );
  });
});

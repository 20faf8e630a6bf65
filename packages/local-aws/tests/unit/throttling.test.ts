import {
  createThrottle,
  DEFAULT_THROTTLING_LIMITS,
  type JsonProtocolService,
  type QueryProtocolService,
  type ServiceContext,
} from '@rotor/local-aws';
import { describe, expect, it } from 'vitest';

const context = {} as ServiceContext;

function jsonService() {
  const handled: string[] = [];
  const service: JsonProtocolService = {
    protocol: 'awsJson1_1',
    serviceName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    async handle(operation) {
      handled.push(operation);
      return {};
    },
  };
  return { service, handled };
}

describe('createThrottle', () => {
  it('admits a burst, then refuses with ThrottlingException without reaching the service, and refills over time', async () => {
    let now = 0;
    const throttle = createThrottle(
      { secretsmanager: { PutSecretValue: { ratePerSecond: 2, burst: 3 } } },
      () => now,
    );
    const { service, handled } = jsonService();
    const wrapped = throttle.wrap(service) as JsonProtocolService;
    for (let i = 0; i < 3; i++) await wrapped.handle('PutSecretValue', {}, context);
    await expect(wrapped.handle('PutSecretValue', {}, context)).rejects.toMatchObject({
      code: 'ThrottlingException',
      statusCode: 400,
    });
    expect(handled).toHaveLength(3);
    // Operations without a limit (and no '*') are never throttled.
    await wrapped.handle('GetSecretValue', {}, context);
    now += 500; // one token at 2/s
    await wrapped.handle('PutSecretValue', {}, context);
    await expect(wrapped.handle('PutSecretValue', {}, context)).rejects.toMatchObject({
      code: 'ThrottlingException',
    });
    expect(throttle.counts().throttled).toEqual({ secretsmanager: { PutSecretValue: 2 } });
  });

  it('answers awsQuery services with their own code, Throttling, and shares a bucket between operations that name it', async () => {
    const throttle = createThrottle(
      {
        elasticache: {
          ModifyUser: { ratePerSecond: 1, burst: 1, bucket: 'changes' },
          CreateUser: { ratePerSecond: 1, burst: 1, bucket: 'changes' },
        },
      },
      () => 0,
    );
    const service: QueryProtocolService = {
      protocol: 'awsQuery',
      serviceName: 'elasticache',
      xmlNamespace: 'x',
      handle: async () => '',
    };
    const wrapped = throttle.wrap(service) as QueryProtocolService;
    await wrapped.handle('ModifyUser', new URLSearchParams(), context);
    await expect(wrapped.handle('CreateUser', new URLSearchParams(), context)).rejects.toMatchObject({
      code: 'Throttling',
    });
  });

  it('uses "*" for operations not listed, and refuses limits that make no sense', async () => {
    const throttle = createThrottle({ secretsmanager: { '*': { ratePerSecond: 1, burst: 1 } } }, () => 0);
    const { service } = jsonService();
    const wrapped = throttle.wrap(service) as JsonProtocolService;
    await wrapped.handle('ListSecrets', {}, context);
    await expect(wrapped.handle('TagResource', {}, context)).rejects.toMatchObject({
      code: 'ThrottlingException',
    });
    expect(() => createThrottle({ s: { Op: { ratePerSecond: 0, burst: 1 } } })).toThrow(/ratePerSecond/);
    expect(() => createThrottle({ s: { Op: { ratePerSecond: 1, burst: 0 } } })).toThrow(/burst/);
  });

  it('has defaults for the operations rotations call', () => {
    expect(DEFAULT_THROTTLING_LIMITS.secretsmanager?.PutSecretValue?.bucket).toBe(
      DEFAULT_THROTTLING_LIMITS.secretsmanager?.UpdateSecretVersionStage?.bucket,
    );
    expect(DEFAULT_THROTTLING_LIMITS.elasticache?.DescribeUsers).toEqual({ ratePerSecond: 20, burst: 100 });
  });
});

import { describe, expect, it } from 'vitest';
import { assertArnInScope, parseArn, scopeOfArn } from '../../src/protocol/function-scope.ts';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };

describe('parseArn', () => {
  it('splits an ARN and refuses text that is not one', () => {
    expect(parseArn('arn:aws:elasticache:us-east-1:123456789012:user:user1')).toEqual({
      partition: 'aws',
      service: 'elasticache',
      region: 'us-east-1',
      accountId: '123456789012',
      resource: 'user:user1',
    });
    expect(parseArn('arn:aws-cn:iam::123456789012:role/x')?.region).toBe('');
    for (const text of ['user1', 'arn:aws:elasticache', 'arn:aws:elasticache:us-east-1:12345:user:u', '']) {
      expect(parseArn(text)).toBeUndefined();
    }
  });

  it("takes a function's scope from its ARN", () => {
    expect(scopeOfArn('arn:aws:lambda:eu-west-1:210987654321:function:rotor')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '210987654321',
    });
    expect(scopeOfArn(undefined)).toBeUndefined();
    expect(scopeOfArn('arn:aws:iam::123456789012:role/x')).toBeUndefined();
  });
});

describe('assertArnInScope', () => {
  const check = { label: '"user_arn"', service: 'elasticache' };

  it('accepts an ARN in the same partition, account and region', () => {
    expect(
      assertArnInScope('arn:aws:elasticache:us-east-1:123456789012:user:u1', scope, check).resource,
    ).toBe('user:u1');
  });

  it.each([
    ['another account', 'arn:aws:elasticache:us-east-1:999999999999:user:u1', /account 999999999999/],
    ['another region', 'arn:aws:elasticache:eu-west-1:123456789012:user:u1', /region eu-west-1/],
    ['another partition', 'arn:aws-cn:elasticache:us-east-1:123456789012:user:u1', /partition aws-cn/],
    ['another service', 'arn:aws:redshift:us-east-1:123456789012:dbuser:c/u1', /redshift resource/],
    ['no ARN at all', 'u1', /is not an ARN/],
  ])('refuses %s', (_name, arn, message) => {
    expect(() => assertArnInScope(arn, scope, check)).toThrow(message);
  });

  it('fails closed when the scope is unknown', () => {
    expect(() =>
      assertArnInScope('arn:aws:elasticache:us-east-1:123456789012:user:u1', undefined, check),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIGURATION' }));
  });

  it('can skip the region for global resources', () => {
    expect(() =>
      assertArnInScope('arn:aws:iam::123456789012:role/x', scope, { label: 'role', regional: false }),
    ).not.toThrow();
  });
});

import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import { Duration, type Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  ADMIN_SECRET_ARN,
  importedSecret,
  SECRET_ARN,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

type Build = (stack: Stack) => void;

function elastiCache(overrides: Record<string, unknown>): Build {
  return (stack) => {
    const vpc = testVpc(stack);
    new ElastiCacheUserRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      userArn: USER_ARN,
      userName: 'app',
      strategy: 'dual-password',
      vpc,
      secretsManagerAccess: 'nat',
      userGroupArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:app-group`],
      cacheArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:replicationgroup:app-cache`],
      ...overrides,
    });
  };
}

function redshift(overrides: Record<string, unknown>): Build {
  return (stack) => {
    new RedshiftRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      target: { workgroupName: 'analytics', workgroupId: WORKGROUP_ID },
      transport: 'data-api',
      ...overrides,
    });
  };
}

function postgres(overrides: Record<string, unknown>): Build {
  return (stack) => {
    new PostgresRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      allowedHosts: ['orders-db.internal'],
      ...overrides,
    });
  };
}

const WORKGROUP_ID = '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10';

const cases: Array<[string, Build, RegExp]> = [
  [
    'an ElastiCache timeout under 12 minutes',
    elastiCache({ timeout: Duration.minutes(5) }),
    /at least 12 minutes/,
  ],
  ['a timeout over Lambda’s 15 minutes', redshift({ timeout: Duration.minutes(16) }), /at most 15 minutes/],
  ['an unknown strategy', elastiCache({ strategy: 'auto' }), /strategy must be one of/],
  [
    'a user ARN that is not an ElastiCache user',
    elastiCache({ userArn: 'arn:aws:iam::123456789012:user/app' }),
    /userArn/,
  ],
  ['a user group ARN that is no user group', elastiCache({ userGroupArns: ['arn:x'] }), /userGroupArns must/],
  [
    'a cache ARN that is no replication group or serverless cache',
    elastiCache({ cacheArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:cluster:app-001`] }),
    /cacheArns must/,
  ],
  [
    'no user groups or caches and no explicit opt-out of the login test',
    elastiCache({ userGroupArns: undefined, cacheArns: undefined }),
    /loginTest: 'off'/,
  ],
  [
    'a secret known only by name',
    (stack) => {
      const vpc = testVpc(stack);
      new ElastiCacheUserRotation(stack, 'Rotation', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'prod/app'),
        userArn: USER_ARN,
        userName: 'app',
        strategy: 'dual-password',
        vpc,
        secretsManagerAccess: 'nat',
        loginTest: 'off',
      });
    },
    /full ARN/,
  ],
  [
    'a VPC without saying how it reaches Secrets Manager',
    elastiCache({ secretsManagerAccess: undefined }),
    /secretsManagerAccess is required/,
  ],
  [
    'secretsManagerAccess without a VPC',
    redshift({ secretsManagerAccess: 'nat' }),
    /secretsManagerAccess needs vpc/,
  ],
  [
    'a cache login test without a VPC',
    elastiCache({ vpc: undefined, secretsManagerAccess: undefined }),
    /cache's VPC/,
  ],
  [
    'a cache endpoint without a VPC, login test off',
    elastiCache({ vpc: undefined, secretsManagerAccess: undefined, loginTest: 'off', cache: { host: 'c' } }),
    /cache needs vpc/,
  ],
  ['a password too short for ElastiCache', elastiCache({ passwordLength: 12 }), /between 16 and 128/],
  [
    'both a rate and an expression',
    redshift({ schedule: { automaticallyAfter: Duration.days(7), scheduleExpression: 'rate(7 days)' } }),
    /not both/,
  ],
  ['a schedule of hours', redshift({ schedule: { automaticallyAfter: Duration.hours(36) } }), /whole days/],
  [
    'a schedule expression that is neither rate nor cron',
    redshift({ schedule: { scheduleExpression: 'every week' } }),
    /rate\(\.\.\.\) or cron/,
  ],
  [
    'alternating users without an admin secret',
    redshift({ strategy: 'alternating-users' }),
    /needs adminSecret/,
  ],
  [
    'an admin secret for a single user',
    (stack) => redshift({ adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN) })(stack),
    /alternating-users only/,
  ],
  [
    'a Redshift target naming both a cluster and a workgroup',
    redshift({ target: { clusterIdentifier: 'c', workgroupName: 'w', workgroupId: WORKGROUP_ID } }),
    /exactly one/,
  ],
  ['a Redshift target naming neither', redshift({ target: { clusterIdentifier: '' } }), /exactly one/],
  [
    'Data API auth on the pg transport',
    redshift({ transport: 'pg', dataApiAuth: 'secret-arn' }),
    /data-api transport only/,
  ],
  [
    'temporary credentials on a cluster without a database user',
    redshift({ target: { clusterIdentifier: 'c1' }, dataApiAuth: 'temporary-credentials' }),
    /databaseUser/,
  ],
  [
    'a wildcard database user',
    redshift({
      target: { clusterIdentifier: 'c1' },
      dataApiAuth: 'temporary-credentials',
      databaseUser: '*',
    }),
    /no wildcard/,
  ],
  [
    'TLS settings on the Data API without direct logins',
    redshift({ tls: 'disable', loginCheck: 'none', loginTest: 'off' }),
    /direct logins only/,
  ],
  [
    'a workgroup named by its name in place of its id',
    redshift({ target: { workgroupName: 'analytics', workgroupId: 'analytics' } }),
    /workgroupId must be the workgroup id/,
  ],
  [
    'temporary credentials on a Serverless workgroup',
    redshift({ dataApiAuth: 'temporary-credentials' }),
    /provisioned clusters only/,
  ],
  ['no login check while the login test is required', redshift({ loginCheck: 'none' }), /loginTest: 'off'/],
  [
    'a Redshift-managed admin secret on Serverless without its namespace id',
    (stack) =>
      redshift({
        strategy: 'alternating-users',
        adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN),
        adminSecretIsManaged: true,
      })(stack),
    /namespaceId/,
  ],
  ['an allowed host that is no host', redshift({ transport: 'pg', allowedHosts: ['db:99999'] }), /host:port/],
  ['a Redshift password over 64 characters', redshift({ passwordLength: 100 }), /between 8 and 64/],
  ['a PostgreSQL database rule without a VPC', postgres({ database: {} }), /database needs vpc/],
  ['PostgreSQL without allowed hosts', postgres({ allowedHosts: [] }), /allowedHosts is required/],
  [
    'an RDS-managed admin secret without the admin secret',
    postgres({ adminSecretManagedBy: { dbInstanceIdentifier: 'orders-db' } }),
    /adminSecretManagedBy describes adminSecret/,
  ],
  [
    'an RDS-managed admin secret naming an ARN, not an identifier',
    (stack) =>
      postgres({
        strategy: 'alternating-users',
        adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN),
        adminSecretManagedBy: { dbInstanceIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders` },
      })(stack),
    /names no RDS identifier/,
  ],
  ['a PostgreSQL password of 200 characters', postgres({ password: { length: 200 } }), /between 8 and 128/],
  [
    'PostgreSQL password settings that exclude every class',
    postgres({
      password: {
        excludeUppercase: true,
        excludeLowercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      },
    }),
    /every character class/,
  ],
  [
    'a PostgreSQL allowed host with a URL in it',
    postgres({ allowedHosts: ['postgres://db:5432'] }),
    /host or host:port/,
  ],
  ['an unknown TLS mode', postgres({ tls: 'prefer' }), /tls must be one of/],
];

describe('Options are checked at synth time', () => {
  it.each(cases)(
    '%s is refused with a clear error, and nothing is added to the stack',
    (_name, build, message) => {
      const stack = testStack();
      let thrown: unknown;
      try {
        build(stack);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({
        code: 'INVALID_CONFIGURATION',
        message: expect.stringMatching(message),
      });
      expect(stack.node.tryFindChild('Rotation')).toBeUndefined();
    },
  );

  it('reports every problem at once', () => {
    const stack = testStack();
    expect(() => redshift({ strategy: 'alternating-users', target: {}, passwordLength: 4 })(stack)).toThrow(
      /needs adminSecret; target needs exactly one.*; passwordLength/,
    );
  });
});

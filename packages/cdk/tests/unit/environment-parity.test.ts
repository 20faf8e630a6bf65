/**
 * Each construct sets only environment variables its app accepts: the synthesized environment is resolved
 * and read by the app's own configuration parser, as a cold start would.
 */

import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { readConfig as readElastiCacheConfig } from '../../../../apps/elasticache-rotation/src/config.ts';
import { readConfig as readPostgresConfig } from '../../../../apps/postgres-rotation/src/config.ts';
import { readConfig as readRedshiftConfig } from '../../../../apps/redshift-rotation/src/config.ts';
import { TemplateEvaluator } from '../support/cfn-evaluate.ts';
import {
  ACCOUNT,
  ADMIN_SECRET_ARN,
  importedSecret,
  REGION,
  SECRET_ARN,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

function environmentOf(stack: Stack): Record<string, string> {
  const evaluator = new TemplateEvaluator(
    template(stack).toJSON() as Record<string, unknown>,
    {},
    { partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' },
  );
  const [id] = evaluator
    .resourceIds()
    .filter((resource) => evaluator.resourceType(resource) === 'AWS::Lambda::Function');
  const variables = (evaluator.resource(id!)!.Environment as { Variables: Record<string, unknown> })
    .Variables;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)]));
}

const PASSWORD_SETTINGS = {
  length: 40,
  excludeCharacters: '',
  excludeNumbers: false,
  excludePunctuation: true,
  excludeUppercase: false,
  excludeLowercase: true,
  requireEachIncludedType: false,
};

describe('environment the apps accept', () => {
  it('ElastiCacheUserRotation', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    new ElastiCacheUserRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      userArn: USER_ARN,
      userName: 'app',
      strategy: 'alternating-users',
      vpc,
      secretsManagerAccess: 'create-endpoint',
      userGroupArns: [`arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:app-group`],
      cacheArns: [`arn:aws:elasticache:${REGION}:${ACCOUNT}:replicationgroup:app-cache`],
      cache: {
        host: 'master.cache.internal',
        port: 6380,
        connections: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
      },
      passwordLength: 40,
      excludeCharacters: '/@"',
      enableDisabledUser: true,
      passwordSource: 'secrets-manager',
    });
    const config = readElastiCacheConfig(environmentOf(stack));
    expect(config).toMatchObject({
      secretsManagerEndpoint: `https://secretsmanager.${REGION}.amazonaws.com`,
      secretArn: SECRET_ARN,
      strategy: 'alternating-users',
      passwordSource: 'secrets-manager',
      engine: {
        userName: 'app',
        passwordLength: 40,
        excludeCharacters: '/@"',
        enableDisabledUser: true,
        dataPlane: { host: 'master.cache.internal', port: 6380, tls: true },
      },
    });
  });

  it('RedshiftRotation over the Data API and over pg', () => {
    const dataApi = testStack();
    new RedshiftRotation(dataApi, 'Rotation', {
      secret: importedSecret(dataApi, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      target: { clusterIdentifier: 'reporting' },
      transport: 'data-api',
      dataApiAuth: 'temporary-credentials',
      databaseUser: 'app',
      loginCheck: 'none',
      loginTest: 'off',
      passwordLength: 24,
    });
    expect(readRedshiftConfig(environmentOf(dataApi))).toMatchObject({
      strategy: 'single-user',
      loginTest: 'off',
      engine: {
        transport: 'data-api',
        clusterIdentifier: 'reporting',
        dataApi: { auth: 'temporary-credentials', loginCheck: 'none' },
        password: { length: 24, excludePunctuation: false, requireEachIncludedType: true },
      },
    });

    const pg = testStack();
    new RedshiftRotation(pg, 'Rotation', {
      secret: importedSecret(pg, 'Secret', SECRET_ARN),
      adminSecret: importedSecret(pg, 'Admin', ADMIN_SECRET_ARN),
      strategy: 'alternating-users',
      target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
      allowedHosts: ['analytics.internal:5439'],
      transport: 'pg',
      tls: 'require',
    });
    expect(readRedshiftConfig(environmentOf(pg))).toMatchObject({
      strategy: 'alternating-users',
      loginTest: 'required',
      engine: {
        transport: 'pg',
        workgroupName: 'analytics',
        allowedHosts: ['analytics.internal:5439'],
        pg: { tls: 'require' },
      },
    });
  });

  it('PostgresRotation', () => {
    const stack = testStack();
    new PostgresRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      allowedHosts: ['orders-db.internal', 'orders-replica.internal:5433'],
      tls: 'verify-full',
      password: PASSWORD_SETTINGS,
    });
    expect(readPostgresConfig(environmentOf(stack))).toMatchObject({
      strategy: 'single-user',
      passwordSource: 'local',
      engine: {
        tls: 'verify-full',
        allowedHosts: ['orders-db.internal', 'orders-replica.internal:5433'],
        password: PASSWORD_SETTINGS,
      },
    });
  });
});

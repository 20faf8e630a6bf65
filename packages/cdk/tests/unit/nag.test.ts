/**
 * cdk-nag's AwsSolutions pack finds nothing unacknowledged in stacks that use every construct and option,
 * and every acknowledgement carries its reason.
 */

import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import { App, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import nag from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, alarmTopic, testStack, testVpc, USER_ARN } from '../support/stacks.ts';

function everyConstructApp(): App {
  const app = new App();

  const cache = testStack(app);
  const cacheVpc = testVpc(cache);
  const cacheGroup = new ec2.SecurityGroup(cache, 'CacheSg', { vpc: cacheVpc, allowAllOutbound: false });
  new ElastiCacheUserRotation(cache, 'Dual', {
    secret: new secretsmanager.Secret(cache, 'DualSecret'),
    userArn: USER_ARN,
    userName: 'app',
    strategy: 'dual-password',
    vpc: cacheVpc,
    secretsManagerAccess: 'create-endpoint',
    userGroupArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:app`],
    cacheArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:serverlesscache:app-cache`],
    cache: { host: 'master.cache.internal', connections: cacheGroup },
    alarmTopic: alarmTopic(cache),
  });
  new ElastiCacheUserRotation(cache, 'Alternating', {
    secret: new secretsmanager.Secret(cache, 'AlternatingSecret'),
    userArn: `arn:aws:elasticache:us-east-1:${ACCOUNT}:user:reporting`,
    userName: 'reporting',
    strategy: 'alternating-users',
    userGroupArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:reporting`],
    vpc: cacheVpc,
    secretsManagerAccess: 'nat',
    loginTest: 'off',
    passwordSource: 'secrets-manager',
  });

  const warehouse = testStack(app);
  const admin = new secretsmanager.Secret(warehouse, 'AdminSecret');
  Validations.of(admin).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Test fixture admin secret; rotating the admin secret itself is the user stack concern',
  });
  new RedshiftRotation(warehouse, 'Serverless', {
    secret: new secretsmanager.Secret(warehouse, 'ServerlessSecret'),
    adminSecret: admin,
    strategy: 'alternating-users',
    target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
    transport: 'data-api',
    loginCheck: 'none',
    loginTest: 'off',
  });
  new RedshiftRotation(warehouse, 'Cluster', {
    secret: new secretsmanager.Secret(warehouse, 'ClusterSecret'),
    strategy: 'single-user',
    target: { clusterIdentifier: 'reporting' },
    transport: 'data-api',
    dataApiAuth: 'temporary-credentials',
    databaseUser: 'reporting',
  });
  const warehouseVpc = testVpc(warehouse);
  new RedshiftRotation(warehouse, 'Pg', {
    secret: new secretsmanager.Secret(warehouse, 'PgSecret'),
    adminSecret: admin,
    adminSecretIsManaged: true,
    strategy: 'alternating-users',
    target: { clusterIdentifier: 'reporting' },
    transport: 'pg',
    vpc: warehouseVpc,
    secretsManagerAccess: 'create-endpoint',
    targetConnections: new ec2.SecurityGroup(warehouse, 'ClusterSg', {
      vpc: warehouseVpc,
      allowAllOutbound: false,
    }),
  });

  const database = testStack(app);
  const databaseVpc = testVpc(database);
  const endpoint = databaseVpc.addInterfaceEndpoint('SecretsManager', {
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    open: false,
  });
  new PostgresRotation(database, 'Postgres', {
    secret: new secretsmanager.Secret(database, 'PostgresSecret'),
    strategy: 'single-user',
    allowedHosts: ['orders-db.internal:5432'],
    vpc: databaseVpc,
    secretsManagerAccess: endpoint,
    database: new ec2.SecurityGroup(database, 'DbSg', { vpc: databaseVpc, allowAllOutbound: false }),
  });
  const managed = new secretsmanager.Secret(database, 'RdsManagedMaster');
  Validations.of(managed).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Test fixture standing in for the master secret RDS manages and rotates itself',
  });
  new PostgresRotation(database, 'PostgresManagedAdmin', {
    secret: new secretsmanager.Secret(database, 'ReportingSecret'),
    strategy: 'alternating-users',
    adminSecret: managed,
    adminSecretManagedBy: { dbClusterIdentifier: 'orders-aurora' },
    allowedHosts: ['orders-aurora.cluster-abc.us-east-1.rds.amazonaws.com'],
    vpc: databaseVpc,
    secretsManagerAccess: endpoint,
  });
  return app;
}

function violations(app: App) {
  app.synth();
  return new nag.AwsSolutionsChecks(app).validateScope(app).violations.map((violation) => ({
    rule: violation.ruleName,
    resources: violation.violatingResources.length,
  }));
}

function acknowledgements(root: IConstruct): Array<{ id: string; reason: unknown }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, { reason?: unknown } | string>).map(([id, value]) => ({
          id,
          reason: typeof value === 'string' ? value : value?.reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged for every construct and option; each acknowledgement says why', () => {
    const app = everyConstructApp();
    expect(violations(app)).toEqual([]);
    const acknowledged = acknowledgements(app);
    expect(acknowledged.map((entry) => entry.id)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AwsSolutions-IAM5\[Resource::\*\]/),
        expect.stringMatching(/AwsSolutions-L1/),
      ]),
    );
    for (const { id, reason } of acknowledged) {
      expect(typeof reason, id).toBe('string');
      expect((reason as string).length, id).toBeGreaterThan(30);
    }
  });

  it('does report a wildcard nobody acknowledged (the check is live)', () => {
    const app = new App();
    const stack = testStack(app);
    new iam.Role(stack, 'Careless', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        all: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }),
          ],
        }),
      },
    });
    expect(violations(app)).toEqual([{ rule: 'AwsSolutions-IAM5[Resource::*]', resources: 1 }]);
  });
});

import { PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { importedSecret, onlyResource, SECRET_ARN, template, testStack, testVpc } from '../support/stacks.ts';

const policyNamed = (tpl: ReturnType<typeof template>, name: string) =>
  (
    onlyResource(tpl, 'AWS::IAM::Role').Properties.Policies as Array<{
      PolicyName: string;
      PolicyDocument: { Statement: Array<{ Sid: string; Resource: unknown }> };
    }>
  ).find((policy) => policy.PolicyName === name)!.PolicyDocument.Statement;

describe('RedshiftRotation', () => {
  it('over the Data API without direct logins needs no VPC: no security group, no network-interface grant, a 5-minute timeout', () => {
    const stack = testStack();
    new RedshiftRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
      transport: 'data-api',
      loginCheck: 'none',
      loginTest: 'off',
    });
    const tpl = template(stack);
    const fn = onlyResource(tpl, 'AWS::Lambda::Function');
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(fn.Properties.Timeout).toBe(300);
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      ROTOR_REDSHIFT_TRANSPORT: 'data-api',
      ROTOR_REDSHIFT_WORKGROUP_NAME: 'analytics',
      ROTOR_REDSHIFT_DATA_API_AUTH: 'secret-arn',
      ROTOR_REDSHIFT_LOGIN_CHECK: 'none',
      ROTOR_LOGIN_TEST: 'off',
    });
    tpl.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(policyNamed(tpl, 'execution').map((statement) => statement.Sid)).toEqual(['WriteOwnLogs']);
    expect(policyNamed(tpl, 'rotation').map((statement) => statement.Sid)).toEqual([
      'RotateTheSecret',
      'RunStatementsOnTheWorkgroup',
      'FollowOwnStatements',
      'ListOwnStatements',
    ]);
  });

  it('over pg in a VPC opens the cluster port to the cluster security group only', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    const cluster = new ec2.SecurityGroup(stack, 'ClusterSg', { vpc, allowAllOutbound: false });
    new RedshiftRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      strategy: 'single-user',
      target: { clusterIdentifier: 'reporting' },
      transport: 'pg',
      vpc,
      secretsManagerAccess: 'nat',
      targetConnections: cluster,
    });
    const tpl = template(stack);
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterSg'), 'GroupId'] },
      FromPort: 5439,
      ToPort: 5439,
    });
    tpl.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it('a secret imported by name is granted with its suffix wildcard and matched by prefix in the rule', () => {
    const stack = testStack();
    new RedshiftRotation(stack, 'Rotation', {
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'prod/reporting'),
      strategy: 'single-user',
      target: { clusterIdentifier: 'reporting' },
      transport: 'data-api',
    });
    const tpl = template(stack);
    const rotate = policyNamed(tpl, 'rotation').find((statement) => statement.Sid === 'RotateTheSecret')!;
    expect(JSON.stringify(rotate.Resource)).toContain(':secret:prod/reporting-??????');
    const pattern = onlyResource(tpl, 'AWS::Events::Rule').Properties.EventPattern as {
      detail: { additionalEventData: { SecretId: unknown } };
    };
    expect(JSON.stringify(pattern.detail.additionalEventData.SecretId)).toContain('"prefix"');
    expect(JSON.stringify(pattern.detail.additionalEventData.SecretId)).toContain(':secret:prod/reporting-');
  });
});

describe('PostgresRotation', () => {
  it('reaches an existing Secrets Manager endpoint and the database port, with a 2-minute timeout', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    const endpoint = vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      open: false,
    });
    const database = new ec2.SecurityGroup(stack, 'DbSg', { vpc, allowAllOutbound: false });
    new PostgresRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      adminSecret: importedSecret(stack, 'Admin', SECRET_ARN.replace('app', 'admin')),
      strategy: 'alternating-users',
      allowedHosts: ['orders-db.internal'],
      vpc,
      secretsManagerAccess: endpoint,
      database,
    });
    const tpl = template(stack);
    expect(onlyResource(tpl, 'AWS::Lambda::Function').Properties.Timeout).toBe(120);
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DbSg'), 'GroupId'] },
      FromPort: 5432,
    });
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SecretsManager'), 'GroupId'] },
      FromPort: 443,
    });
    tpl.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(policyNamed(tpl, 'rotation').map((statement) => statement.Sid)).toEqual([
      'RotateTheSecret',
      'ReadTheAdminSecret',
    ]);
  });
});

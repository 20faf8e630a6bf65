/**
 * Every SAM template in apps/ and the constructs' synthesized templates pass an offline CloudFormation
 * validation against the resource specification the CDK is generated from (tests/support/cfn-validate.ts,
 * docs/decisions/0082); a template with each kind of mistake it checks for is refused (the validator can fail).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateTemplate } from '../support/cfn-validate.ts';
import {
  ACCOUNT,
  ADMIN_SECRET_ARN,
  alarmTopic,
  importedSecret,
  SECRET_ARN,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

const appsDir = fileURLToPath(new URL('../../../../apps/', import.meta.url));
const samTemplates = readdirSync(appsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    try {
      return [[entry.name, readFileSync(`${appsDir}${entry.name}/template.yaml`, 'utf8')] as const];
    } catch {
      return [];
    }
  });

describe('the SAM templates', () => {
  it('are the three rotation apps', () => {
    expect(samTemplates.map(([app]) => app).sort()).toEqual([
      'elasticache-rotation',
      'postgres-rotation',
      'redshift-rotation',
    ]);
  });

  it.each(samTemplates)('%s passes the offline CloudFormation validation', (_app, text) => {
    expect(validateTemplate(parse(text))).toEqual([]);
  });
});

function synthesized(build: (stack: Stack) => void): unknown {
  const stack = testStack();
  build(stack);
  return template(stack).toJSON();
}

describe("the constructs' synthesized templates", () => {
  const cases: Array<[string, (stack: Stack) => void]> = [
    [
      'ElastiCacheUserRotation, alternating users, created endpoint, alarm topic',
      (stack) => {
        const vpc = testVpc(stack);
        new ElastiCacheUserRotation(stack, 'Rotation', {
          secret: importedSecret(stack, 'Secret', SECRET_ARN, true),
          userArn: USER_ARN,
          userName: 'app',
          strategy: 'alternating-users',
          userGroupArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:app`],
          cacheArns: [`arn:aws:elasticache:us-east-1:${ACCOUNT}:replicationgroup:app`],
          vpc,
          secretsManagerAccess: 'create-endpoint',
          cache: { connections: new ec2.SecurityGroup(stack, 'CacheSg', { vpc }) },
          passwordSource: 'secrets-manager',
          alarmTopic: alarmTopic(stack),
        });
      },
    ],
    [
      'RedshiftRotation over the Data API on Serverless, no schedule',
      (stack) => {
        new RedshiftRotation(stack, 'Rotation', {
          secret: new secretsmanager.Secret(stack, 'Secret'),
          strategy: 'single-user',
          target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
          transport: 'data-api',
          loginCheck: 'none',
          loginTest: 'off',
          schedule: false,
        });
      },
    ],
    [
      'RedshiftRotation over pg with temporary-credential-free alternating users',
      (stack) => {
        new RedshiftRotation(stack, 'Rotation', {
          secret: importedSecret(stack, 'Secret', SECRET_ARN),
          adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN),
          adminSecretIsManaged: true,
          strategy: 'alternating-users',
          target: { clusterIdentifier: 'reporting' },
          transport: 'pg',
          vpc: testVpc(stack),
          secretsManagerAccess: 'nat',
        });
      },
    ],
    [
      'PostgresRotation with an RDS-managed admin secret',
      (stack) => {
        new PostgresRotation(stack, 'Rotation', {
          secret: importedSecret(stack, 'Secret', SECRET_ARN),
          adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN),
          adminSecretManagedBy: { dbInstanceIdentifier: 'orders-db' },
          strategy: 'alternating-users',
          allowedHosts: ['orders-db.abc.us-east-1.rds.amazonaws.com'],
          password: { length: 24, excludePunctuation: true },
        });
      },
    ],
  ];
  it.each(cases)('%s passes the offline CloudFormation validation', (_name, build) => {
    expect(validateTemplate(synthesized(build))).toEqual([]);
  });
});

describe('the validator refuses what CloudFormation would refuse', () => {
  const base = () =>
    parse(samTemplates.find(([app]) => app === 'postgres-rotation')![1]) as {
      Parameters: Record<string, Record<string, unknown>>;
      Rules: Record<string, { Assertions: Array<{ Assert: unknown }> }>;
      Conditions: Record<string, unknown>;
      Resources: Record<
        string,
        { Type: string; Condition?: string; DependsOn?: unknown; Properties: Record<string, unknown> }
      >;
      Outputs: Record<string, Record<string, unknown>>;
    };
  type Template = ReturnType<typeof base>;
  const cases: Array<[string, (t: Template) => void, RegExp]> = [
    [
      'an unknown resource type',
      (t) => {
        t.Resources.RotationFunctionLogGroup!.Type = 'AWS::Logs::LogGroups';
      },
      /unknown resource type/,
    ],
    [
      'an unknown property',
      (t) => {
        t.Resources.RotationFunctionLogGroup!.Properties.Retention = 90;
      },
      /not a property/,
    ],
    [
      'a missing required property',
      (t) => void delete t.Resources.SecretsManagerEndpoint!.Properties.VpcId,
      /VpcId: is required/,
    ],
    [
      'a value outside the allowed values',
      (t) => {
        t.Resources.RotationFailedRule!.Properties.State = 'ON';
      },
      /not one of/,
    ],
    [
      'a list where a string belongs',
      (t) => {
        t.Resources.SecretsManagerEndpoint!.Properties.VpcId = { Ref: 'SubnetIds' };
      },
      /gives a list/,
    ],
    [
      'a string where a list belongs',
      (t) => {
        t.Resources.SecretsManagerEndpoint!.Properties.SubnetIds = { Ref: 'VpcId' };
      },
      /gives a string/,
    ],
    [
      'a Ref to nothing',
      (t) => {
        t.Resources.RotationFunctionLogGroup!.Properties.LogGroupName = { Ref: 'Missing' };
      },
      /names nothing/,
    ],
    [
      'an attribute the type lacks',
      (t) => {
        t.Outputs.RotationFunctionArn!.Value = { 'Fn::GetAtt': ['RotationFunction', 'Url'] };
      },
      /has no attribute Url/,
    ],
    [
      'an Fn::Sub of a list parameter',
      (t) => {
        t.Resources.RotationFunctionLogGroup!.Properties.LogGroupName = {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
          'Fn::Sub': '/x/${SubnetIds}',
        };
      },
      /list parameter/,
    ],
    [
      'an Fn::If on an unknown condition',
      (t) => {
        t.Resources.RotationStepFailedAlarm!.Properties.AlarmActions = {
          'Fn::If': ['Nope', [], { Ref: 'AWS::NoValue' }],
        };
      },
      /names no condition Nope/,
    ],
    [
      'Fn::Join inside a rule',
      (t) => {
        t.Rules.EndpointNeedsTheVpc!.Assertions[0]!.Assert = {
          'Fn::Join': ['', { Ref: 'SubnetIds' }],
        };
      },
      /cannot be used in a rule/,
    ],
    [
      'a condition that Refs a resource',
      (t) => {
        t.Conditions.HasKmsKey = { 'Fn::Equals': [{ Ref: 'RotationFunction' }, ''] };
      },
      /Ref parameters only/,
    ],
    [
      'DependsOn a resource that may not exist',
      (t) => {
        t.Resources.RotationSchedule!.DependsOn = ['SecretsManagerEndpoint'];
      },
      /exists only when CreatesSecretsManagerEndpoint/,
    ],
    [
      'a default outside its own allowed values',
      (t) => {
        t.Parameters.Tls!.Default = 'prefer';
      },
      /not in AllowedValues/,
    ],
    [
      'a default over its MaxValue',
      (t) => {
        t.Parameters.TimeoutSeconds!.Default = 901;
      },
      /above MaxValue/,
    ],
    [
      'a SAM resource without the SAM transform',
      (t) => void delete (t as { Transform?: unknown }).Transform,
      /needs Transform/,
    ],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const broken = base();
    expect(validateTemplate(broken)).toEqual([]);
    mutate(broken);
    const findings = validateTemplate(broken);
    expect(findings.map((finding) => `${finding.path}: ${finding.message}`).join('\n')).toMatch(message);
  });
});

/**
 * The constructs grant exactly what the SAM templates grant, no wider and no narrower: for each deployment
 * shape, the template is evaluated with the matching parameters and compared, statement by statement, with
 * the role the construct synthesizes. Execution plumbing (logs, VPC network interfaces) is compared apart:
 * the constructs scope logs to their own log group, which the templates' managed policies do not.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ElastiCacheUserRotation,
  type ElastiCacheUserRotationProps,
  RedshiftRotation,
  type RedshiftRotationProps,
} from '../../src/index.ts';
import { normalize, type PlainStatement, TemplateEvaluator } from '../support/cfn-evaluate.ts';
import {
  ACCOUNT,
  ADMIN_SECRET_ARN,
  importedSecret,
  KMS_KEY_ARN,
  REGION,
  SECRET_ARN,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

const PSEUDO = { partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' };

function samTemplate(app: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../../../../apps/${app}/template.yaml`, import.meta.url));
  return parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

type Statement = { Sid?: string; Action: unknown; Resource: unknown; Effect?: string };

/** Lambda's own needs, which the templates grant through managed policies or a separate VPC policy. */
const isExecutionPlumbing = (statement: Statement) =>
  [statement.Action]
    .flat()
    .every(
      (action) =>
        /^logs:/.test(String(action)) || /^ec2:.*(NetworkInterface|PrivateIpAddresses)/.test(String(action)),
    );

/** Every statement a template grants its function: roles, IAM policies and SAM function policies. */
function templateStatements(app: string, parameters: Record<string, unknown>): PlainStatement[] {
  const evaluator = new TemplateEvaluator(samTemplate(app), parameters, PSEUDO);
  const statements: Statement[] = [];
  for (const id of evaluator.resourceIds()) {
    const type = evaluator.resourceType(id);
    const properties = evaluator.resource(id);
    if (!properties) continue;
    if (type === 'AWS::IAM::Role') {
      for (const policy of (properties.Policies ?? []) as Array<{
        PolicyDocument: { Statement: Statement[] };
      }>) {
        statements.push(...policy.PolicyDocument.Statement);
      }
    } else if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
      statements.push(...(properties.PolicyDocument as { Statement: Statement[] }).Statement);
    } else if (type === 'AWS::Serverless::Function') {
      for (const policy of (properties.Policies ?? []) as unknown[]) {
        if (policy && typeof policy === 'object' && 'Statement' in policy) {
          statements.push(...(policy as { Statement: Statement[] }).Statement);
        }
      }
    }
  }
  for (const statement of statements) expect(statement.Effect).toBe('Allow');
  return normalize(statements.filter((statement) => !isExecutionPlumbing(statement)));
}

/** The statements of the construct's `rotation` policy, resolved like the template. */
function constructStatements(stack: Stack): PlainStatement[] {
  const synthesized = template(stack).toJSON() as Record<string, unknown>;
  const evaluator = new TemplateEvaluator(synthesized, {}, PSEUDO);
  const roles = evaluator.resourceIds().filter((id) => evaluator.resourceType(id) === 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  const policies = evaluator.resource(roles[0]!)!.Policies as Array<{
    PolicyName: string;
    PolicyDocument: { Statement: Statement[] };
  }>;
  return normalize(policies.find((policy) => policy.PolicyName === 'rotation')!.PolicyDocument.Statement);
}

function elastiCacheStack(props: Partial<ElastiCacheUserRotationProps>, withKey = false): Stack {
  const stack = testStack();
  new ElastiCacheUserRotation(stack, 'Rotation', {
    secret: importedSecret(stack, 'Secret', SECRET_ARN, withKey),
    userArn: USER_ARN,
    userName: 'app',
    strategy: 'dual-password',
    vpc: testVpc(stack),
    secretsManagerAccess: 'nat',
    cache: { host: 'cache.internal' },
    ...props,
  });
  return stack;
}

function redshiftStack(
  props: Partial<RedshiftRotationProps>,
  options: { key?: boolean; admin?: boolean } = {},
) {
  const stack = testStack();
  new RedshiftRotation(stack, 'Rotation', {
    secret: importedSecret(stack, 'Secret', SECRET_ARN, options.key),
    strategy: options.admin ? 'alternating-users' : 'single-user',
    target: { clusterIdentifier: 'reporting' },
    transport: 'pg',
    ...(options.admin ? { adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN, options.key) } : {}),
    ...props,
  } as RedshiftRotationProps);
  return stack;
}

const GROUPS = [
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:app-group`,
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:reporting-group`,
];
const EC_BASE = { SecretArn: SECRET_ARN, UserArn: USER_ARN, UserName: 'app' };

describe('ElastiCacheUserRotation grants what apps/elasticache-rotation/template.yaml grants', () => {
  const cases: Array<[string, Record<string, unknown>, () => Stack]> = [
    ['dual-password', { Strategy: 'dual-password' }, () => elastiCacheStack({})],
    [
      'single-user with a KMS key and GetRandomPassword',
      { Strategy: 'single-user', KmsKeyArn: KMS_KEY_ARN, PasswordSource: 'secrets-manager' },
      () => elastiCacheStack({ strategy: 'single-user', passwordSource: 'secrets-manager' }, true),
    ],
    [
      'alternating users without groups',
      { Strategy: 'alternating-users' },
      () => elastiCacheStack({ strategy: 'alternating-users' }),
    ],
    [
      'alternating users in two user groups',
      { Strategy: 'alternating-users', UserGroupArns: GROUPS.join(',') },
      () => elastiCacheStack({ strategy: 'alternating-users', userGroupArns: GROUPS }),
    ],
  ];
  it.each(cases)('%s', (_name, parameters, build) => {
    const expected = templateStatements('elasticache-rotation', { ...EC_BASE, ...parameters });
    expect(expected.length).toBeGreaterThan(1);
    expect(constructStatements(build())).toEqual(expected);
  });
});

describe('RedshiftRotation grants what apps/redshift-rotation/template.yaml grants', () => {
  const cases: Array<[string, Record<string, unknown>, () => Stack]> = [
    ['pg, single user', { Transport: 'pg', Strategy: 'single-user' }, () => redshiftStack({})],
    [
      'pg, alternating users with a Redshift-managed admin secret and a KMS key',
      {
        Transport: 'pg',
        Strategy: 'alternating-users',
        AdminSecretArn: ADMIN_SECRET_ARN,
        AdminSecretIsManaged: 'true',
        KmsKeyArn: KMS_KEY_ARN,
      },
      () => redshiftStack({ adminSecretIsManaged: true }, { admin: true, key: true }),
    ],
    [
      'Data API on a cluster with the secret',
      { Transport: 'data-api', ClusterIdentifier: 'reporting' },
      () => redshiftStack({ transport: 'data-api' }),
    ],
    [
      'Data API on a cluster with temporary credentials',
      {
        Transport: 'data-api',
        ClusterIdentifier: 'reporting',
        DataApiAuth: 'temporary-credentials',
        DatabaseUsers: 'app',
      },
      () =>
        redshiftStack({ transport: 'data-api', dataApiAuth: 'temporary-credentials', databaseUser: 'app' }),
    ],
    [
      'Data API on Serverless with temporary credentials and alternating users',
      {
        Transport: 'data-api',
        WorkgroupName: 'analytics',
        DataApiAuth: 'temporary-credentials',
        AdminSecretArn: ADMIN_SECRET_ARN,
      },
      () =>
        redshiftStack(
          {
            transport: 'data-api',
            target: { workgroupName: 'analytics' },
            dataApiAuth: 'temporary-credentials',
          },
          { admin: true },
        ),
    ],
  ];
  it.each(cases)('%s', (_name, parameters, build) => {
    const expected = templateStatements('redshift-rotation', { RotatedSecretArn: SECRET_ARN, ...parameters });
    expect(expected.length).toBeGreaterThan(0);
    expect(constructStatements(build())).toEqual(expected);
  });
});

describe('the comparison itself', () => {
  it('notices a construct that grants one action more than the template', () => {
    const expected = templateStatements('elasticache-rotation', { ...EC_BASE, Strategy: 'dual-password' });
    const wider = constructStatements(elastiCacheStack({ passwordSource: 'secrets-manager' }));
    expect(wider).not.toEqual(expected);
    expect(wider.map((statement) => statement.sid)).toContain('GeneratePasswords');
  });
});

/** The alarm and the rule of a template or a construct, in comparable form. */
function operations(evaluator: TemplateEvaluator) {
  const find = (type: string) => {
    const ids = evaluator.resourceIds().filter((id) => evaluator.resourceType(id) === type);
    expect(ids).toHaveLength(1);
    return evaluator.resource(ids[0]!)!;
  };
  const alarm = find('AWS::CloudWatch::Alarm');
  const rule = find('AWS::Events::Rule');
  // A wildcard filter without a wildcard matches exactly, like a plain value.
  const exact = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value, (_key, item) =>
        item && typeof item === 'object' && 'wildcard' in item && !String(item.wildcard).includes('*')
          ? item.wildcard
          : item,
      ),
    );
  const dimensions = (alarm.Dimensions as Array<{ Name: string; Value: string }>)
    .map((dimension) => [
      dimension.Name,
      dimension.Name === 'FunctionName' ? '<the function>' : dimension.Value,
    ])
    .sort();
  const compared = [
    'Namespace',
    'MetricName',
    'Statistic',
    'Period',
    'EvaluationPeriods',
    'Threshold',
    'ComparisonOperator',
    'TreatMissingData',
  ];
  return {
    alarm: { ...Object.fromEntries(compared.map((key) => [key, alarm[key]])), dimensions },
    alarmActions: alarm.AlarmActions,
    pattern: exact(rule.EventPattern),
    targets: (rule.Targets as Array<{ Arn: unknown }> | undefined)?.map((target) => target.Arn),
  };
}

describe('the templates alarm and forward RotationFailed as the constructs do', () => {
  const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:rotation-alarms`;
  const constructOperations = (stack: Stack) =>
    operations(new TemplateEvaluator(template(stack).toJSON() as Record<string, unknown>, {}, PSEUDO));

  it.each([
    ['elasticache-rotation', { ...EC_BASE, Strategy: 'dual-password' }, () => elastiCacheStack({})],
    ['redshift-rotation', { RotatedSecretArn: SECRET_ARN }, () => redshiftStack({})],
  ] as const)('%s', (app, parameters, build) => {
    const withTopic = operations(
      new TemplateEvaluator(samTemplate(app), { ...parameters, AlarmTopicArn: TOPIC }, PSEUDO),
    );
    const withoutTopic = operations(new TemplateEvaluator(samTemplate(app), parameters, PSEUDO));
    const construct = constructOperations(build());
    expect(withoutTopic.alarm).toEqual(construct.alarm);
    expect(withoutTopic.pattern).toEqual(construct.pattern);
    expect(withoutTopic.alarmActions).toBeUndefined();
    expect(withoutTopic.targets).toBeUndefined();
    expect(withTopic.alarmActions).toEqual([TOPIC]);
    expect(withTopic.targets).toEqual([TOPIC]);
  });
});

/**
 * The constructs grant exactly what the SAM templates grant, no wider and no narrower: for each deployment
 * shape, the template is evaluated with the matching parameters and compared, statement by statement, with
 * the role the construct synthesizes. Execution plumbing (logs, VPC network interfaces) is compared apart:
 * the constructs scope logs to their own log group, which the templates' managed policies do not.
 */

import {
  ElastiCacheUserRotation,
  type ElastiCacheUserRotationProps,
  PostgresRotation,
  type PostgresRotationProps,
  RedshiftRotation,
  type RedshiftRotationProps,
} from '@rotor/cdk';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { normalize, type PlainStatement, TemplateEvaluator } from '../support/cfn-evaluate.ts';
import {
  ACCOUNT,
  ADMIN_SECRET_ARN,
  importedSecret,
  KMS_KEY_ARN,
  PSEUDO,
  REGION,
  SECRET_ARN,
  samTemplate,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

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
    userGroupArns: GROUPS,
    cacheArns: CACHES,
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

function postgresStack(
  props: Partial<PostgresRotationProps>,
  options: { key?: boolean; admin?: boolean } = {},
) {
  const stack = testStack();
  new PostgresRotation(stack, 'Rotation', {
    secret: importedSecret(stack, 'Secret', SECRET_ARN, options.key),
    strategy: options.admin ? 'alternating-users' : 'single-user',
    allowedHosts: ['orders-db.internal'],
    ...(options.admin ? { adminSecret: importedSecret(stack, 'Admin', ADMIN_SECRET_ARN, options.key) } : {}),
    ...props,
  });
  return stack;
}

const GROUPS = [
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:app-group`,
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:reporting-group`,
];
const CACHES = [
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:replicationgroup:orders`,
  `arn:aws:elasticache:${REGION}:${ACCOUNT}:serverlesscache:sessions`,
];
const EC_BASE = { SecretArn: SECRET_ARN, UserArn: USER_ARN, UserName: 'app' };
const EC_CACHES = { UserGroupArns: GROUPS.join(','), CacheArns: CACHES.join(',') };
const WORKGROUP_ID = '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10';
const NAMESPACE_ID = '7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5';

/** The template's grants for these parameters, after checking that its Rules accept them. */
function acceptedTemplateStatements(app: string, parameters: Record<string, unknown>): PlainStatement[] {
  expect(new TemplateEvaluator(samTemplate(app), parameters, PSEUDO).failedAssertions()).toEqual([]);
  return templateStatements(app, parameters);
}

describe('ElastiCacheUserRotation grants what apps/elasticache-rotation/template.yaml grants', () => {
  const cases: Array<[string, Record<string, unknown>, () => Stack]> = [
    [
      'dual-password with the login test',
      { Strategy: 'dual-password', ...EC_CACHES },
      () => elastiCacheStack({}),
    ],
    [
      'single-user with a KMS key and GetRandomPassword, login test off',
      {
        Strategy: 'single-user',
        KmsKeyArn: KMS_KEY_ARN,
        PasswordSource: 'secrets-manager',
        LoginTest: 'off',
      },
      () =>
        elastiCacheStack(
          {
            strategy: 'single-user',
            passwordSource: 'secrets-manager',
            loginTest: 'off',
            userGroupArns: [],
            cacheArns: [],
          },
          true,
        ),
    ],
    [
      'alternating users without groups, login test off',
      { Strategy: 'alternating-users', LoginTest: 'off' },
      () =>
        elastiCacheStack({
          strategy: 'alternating-users',
          loginTest: 'off',
          userGroupArns: [],
          cacheArns: [],
        }),
    ],
    [
      'alternating users in two user groups with the login test',
      { Strategy: 'alternating-users', ...EC_CACHES },
      () => elastiCacheStack({ strategy: 'alternating-users' }),
    ],
  ];
  it.each(cases)('%s', (_name, parameters, build) => {
    const expected = acceptedTemplateStatements('elasticache-rotation', { ...EC_BASE, ...parameters });
    expect(expected.length).toBeGreaterThan(1);
    expect(constructStatements(build())).toEqual(expected);
  });
});

describe('RedshiftRotation grants what apps/redshift-rotation/template.yaml grants', () => {
  const serverless = { workgroupName: 'analytics', workgroupId: WORKGROUP_ID };
  const cases: Array<[string, Record<string, unknown>, () => Stack]> = [
    [
      'pg, single user, endpoint from DescribeClusters',
      { Transport: 'pg', Strategy: 'single-user', ClusterIdentifier: 'reporting' },
      () => redshiftStack({}),
    ],
    [
      'pg, alternating users with a Redshift-managed admin secret and a KMS key',
      {
        Transport: 'pg',
        Strategy: 'alternating-users',
        ClusterIdentifier: 'reporting',
        AdminSecretArn: ADMIN_SECRET_ARN,
        AdminSecretIsManaged: 'true',
        KmsKeyArn: KMS_KEY_ARN,
      },
      () => redshiftStack({ adminSecretIsManaged: true }, { admin: true, key: true }),
    ],
    [
      'pg with allowed hosts and no cluster named (no lookups)',
      { Transport: 'pg', Strategy: 'single-user', AllowedHosts: 'reporting.internal:5439' },
      () => redshiftStack({ target: undefined, allowedHosts: ['reporting.internal:5439'] }),
    ],
    [
      'Data API on a cluster with the secret, proven by direct logins',
      { Transport: 'data-api', ClusterIdentifier: 'reporting' },
      () => redshiftStack({ transport: 'data-api' }),
    ],
    [
      'Data API on a cluster with temporary credentials for one user and database',
      {
        Transport: 'data-api',
        ClusterIdentifier: 'reporting',
        DataApiAuth: 'temporary-credentials',
        DatabaseUser: 'app',
        DatabaseName: 'sales',
      },
      () =>
        redshiftStack({
          transport: 'data-api',
          dataApiAuth: 'temporary-credentials',
          databaseUser: 'app',
          databaseName: 'sales',
        }),
    ],
    [
      'Data API on Serverless without direct logins, alternating users with a managed admin secret',
      {
        Transport: 'data-api',
        WorkgroupName: 'analytics',
        WorkgroupId: WORKGROUP_ID,
        NamespaceId: NAMESPACE_ID,
        AdminSecretArn: ADMIN_SECRET_ARN,
        AdminSecretIsManaged: 'true',
        LoginCheck: 'none',
        LoginTest: 'off',
      },
      () =>
        redshiftStack(
          {
            transport: 'data-api',
            target: serverless,
            adminSecretIsManaged: true,
            namespaceId: NAMESPACE_ID,
            loginCheck: 'none',
            loginTest: 'off',
          },
          { admin: true },
        ),
    ],
    [
      'pg on Serverless with allowed hosts',
      {
        Transport: 'pg',
        WorkgroupName: 'analytics',
        WorkgroupId: WORKGROUP_ID,
        AllowedHosts: 'analytics.internal',
      },
      () => redshiftStack({ target: serverless, allowedHosts: ['analytics.internal'] }),
    ],
  ];
  it.each(cases)('%s', (_name, parameters, build) => {
    const expected = acceptedTemplateStatements('redshift-rotation', {
      RotatedSecretArn: SECRET_ARN,
      ...parameters,
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(constructStatements(build())).toEqual(expected);
  });
});

describe('PostgresRotation grants what apps/postgres-rotation/template.yaml grants', () => {
  const PG_BASE = { RotatedSecretArn: SECRET_ARN, AllowedHosts: 'orders-db.internal' };
  const cases: Array<[string, Record<string, unknown>, () => Stack]> = [
    ['single user', {}, () => postgresStack({})],
    [
      'alternating users with a KMS key',
      { AdminSecretArn: ADMIN_SECRET_ARN, KmsKeyArn: KMS_KEY_ARN },
      () => postgresStack({}, { admin: true, key: true }),
    ],
    [
      'alternating users with an RDS-managed master secret of an instance',
      { AdminSecretArn: ADMIN_SECRET_ARN, ManagedAdminDBInstanceIdentifier: 'orders-db' },
      () => postgresStack({ adminSecretManagedBy: { dbInstanceIdentifier: 'orders-db' } }, { admin: true }),
    ],
    [
      'an RDS-managed master secret of a cluster, passwords from GetRandomPassword',
      {
        AdminSecretArn: ADMIN_SECRET_ARN,
        ManagedAdminDBClusterIdentifier: 'billing-aurora',
        PasswordSource: 'secrets-manager',
      },
      () =>
        postgresStack(
          {
            adminSecretManagedBy: { dbClusterIdentifier: 'billing-aurora' },
            passwordSource: 'secrets-manager',
          },
          { admin: true },
        ),
    ],
  ];
  it.each(cases)('%s', (_name, parameters, build) => {
    const expected = acceptedTemplateStatements('postgres-rotation', { ...PG_BASE, ...parameters });
    expect(expected.length).toBeGreaterThan(0);
    expect(constructStatements(build())).toEqual(expected);
  });
});

describe('what a template refuses at deploy time, the construct refuses at synth time', () => {
  const cases: Array<[string, string, Record<string, unknown>, () => Stack]> = [
    [
      'Data API with no cluster or workgroup (it would grant statements on no cluster)',
      'redshift-rotation',
      { RotatedSecretArn: SECRET_ARN, Transport: 'data-api' },
      () => redshiftStack({ transport: 'data-api', target: undefined }),
    ],
    [
      'Data API with allowed hosts but no cluster or workgroup',
      'redshift-rotation',
      { RotatedSecretArn: SECRET_ARN, Transport: 'data-api', AllowedHosts: 'x.internal' },
      () => redshiftStack({ transport: 'data-api', target: undefined, allowedHosts: ['x.internal'] }),
    ],
    [
      'temporary credentials on Serverless',
      'redshift-rotation',
      {
        RotatedSecretArn: SECRET_ARN,
        Transport: 'data-api',
        WorkgroupName: 'analytics',
        WorkgroupId: WORKGROUP_ID,
        DataApiAuth: 'temporary-credentials',
      },
      () =>
        redshiftStack({
          transport: 'data-api',
          target: { workgroupName: 'analytics', workgroupId: WORKGROUP_ID },
          dataApiAuth: 'temporary-credentials',
        }),
    ],
    [
      'a workgroup without its id',
      'redshift-rotation',
      { RotatedSecretArn: SECRET_ARN, WorkgroupName: 'analytics' },
      () => redshiftStack({ target: { workgroupName: 'analytics' } as never }),
    ],
    [
      'no login check without turning the login test off',
      'redshift-rotation',
      {
        RotatedSecretArn: SECRET_ARN,
        Transport: 'data-api',
        ClusterIdentifier: 'reporting',
        LoginCheck: 'none',
      },
      () => redshiftStack({ transport: 'data-api', loginCheck: 'none' }),
    ],
    [
      'an RDS-managed admin secret of both an instance and a cluster',
      'postgres-rotation',
      {
        RotatedSecretArn: SECRET_ARN,
        AllowedHosts: 'db',
        AdminSecretArn: ADMIN_SECRET_ARN,
        ManagedAdminDBInstanceIdentifier: 'a',
        ManagedAdminDBClusterIdentifier: 'b',
      },
      () =>
        postgresStack(
          { adminSecretManagedBy: { dbInstanceIdentifier: 'a', dbClusterIdentifier: 'b' } as never },
          { admin: true },
        ),
    ],
    [
      'an RDS-managed admin secret without the admin secret',
      'postgres-rotation',
      { RotatedSecretArn: SECRET_ARN, AllowedHosts: 'db', ManagedAdminDBInstanceIdentifier: 'a' },
      () => postgresStack({ adminSecretManagedBy: { dbInstanceIdentifier: 'a' } }),
    ],
    [
      'an ElastiCache login test with no user groups or caches',
      'elasticache-rotation',
      { ...EC_BASE },
      () => elastiCacheStack({ userGroupArns: [], cacheArns: [] }),
    ],
  ];
  it.each(cases)('%s', (_name, app, parameters, build) => {
    expect(new TemplateEvaluator(samTemplate(app), parameters, PSEUDO).failedAssertions()).not.toEqual([]);
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_CONFIGURATION' }));
  });
});

describe('the comparison itself', () => {
  it('notices a construct that grants one action more than the template', () => {
    const expected = templateStatements('elasticache-rotation', {
      ...EC_BASE,
      ...EC_CACHES,
      Strategy: 'dual-password',
    });
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

describe('the templates alarm and forward RotationFailed and RotationAbandoned as the constructs do', () => {
  const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:rotation-alarms`;
  const constructOperations = (stack: Stack) =>
    operations(new TemplateEvaluator(template(stack).toJSON() as Record<string, unknown>, {}, PSEUDO));

  it.each([
    ['elasticache-rotation', { ...EC_BASE, ...EC_CACHES }, () => elastiCacheStack({})],
    [
      'redshift-rotation',
      { RotatedSecretArn: SECRET_ARN, ClusterIdentifier: 'reporting' },
      () => redshiftStack({}),
    ],
    [
      'postgres-rotation',
      { RotatedSecretArn: SECRET_ARN, AllowedHosts: 'orders-db.internal' },
      () => postgresStack({}),
    ],
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

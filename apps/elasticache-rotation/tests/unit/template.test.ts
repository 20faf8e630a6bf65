import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config.ts';

type Node = unknown;
const template = parse(
  readFileSync(fileURLToPath(new URL('../../template.yaml', import.meta.url)), 'utf8'),
) as {
  Parameters: Record<string, { Default?: unknown; MinValue?: number; AllowedValues?: string[] }>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, Node> }>;
};
const resources = template.Resources;
// CloudFormation's own ${...} substitution syntax, not a JS template.
const CLONE_ARN_SUB = ['$', '{UserArn}-clone'].join('');

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Node;
}

/** Every statement, with the condition (if any) it is under; both branches of Fn::If are explored. */
function statements(): Array<{ statement: Statement; condition?: string }> {
  const role = resources.RotationFunctionRole!;
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Node[] } }>;
  const found: Array<{ statement: Statement; condition?: string }> = [];
  for (const policy of policies) {
    for (const entry of policy.PolicyDocument.Statement) {
      const conditional = (entry as { 'Fn::If'?: [string, Node, Node] })['Fn::If'];
      if (conditional) {
        const [condition, whenTrue, whenFalse] = conditional;
        for (const branch of [whenTrue, whenFalse]) {
          if ((branch as { Ref?: string }).Ref === 'AWS::NoValue') continue;
          found.push({ statement: branch as Statement, condition });
        }
      } else {
        found.push({ statement: entry as Statement });
      }
    }
  }
  return found;
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('template.yaml', () => {
  it('deploys the built bundle on nodejs22.x with at least 12 minutes of timeout', () => {
    const fn = resources.RotationFunction!;
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      CodeUri: 'dist/elasticache-rotation.zip',
      Timeout: { Ref: 'TimeoutSeconds' },
    });
    expect(template.Parameters.TimeoutSeconds!.MinValue).toBeGreaterThanOrEqual(720);
    expect(template.Parameters.TimeoutSeconds!.Default).toBeGreaterThanOrEqual(720);
    expect(fn.Properties.VpcConfig).toMatchObject({
      'Fn::If': ['HasVpc', expect.anything(), { Ref: 'AWS::NoValue' }],
    });
  });

  it('grants the Secrets Manager calls on the rotated secret only', () => {
    const secretStatements = statements().filter(({ statement }) =>
      actionsOf(statement).some(
        (action) => action.startsWith('secretsmanager:') && action !== 'secretsmanager:GetRandomPassword',
      ),
    );
    expect(secretStatements).toHaveLength(1);
    const [{ statement, condition }] = secretStatements as [{ statement: Statement; condition?: string }];
    expect(condition).toBeUndefined();
    expect(actionsOf(statement).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    expect(statement.Resource).toEqual({ Ref: 'SecretArn' });
  });

  it('grants DescribeUsers and ModifyUser on the user (and its clone only for alternating users)', () => {
    const user = statements().find(({ statement }) =>
      actionsOf(statement).includes('elasticache:ModifyUser'),
    )!;
    expect(actionsOf(user.statement).sort()).toEqual(['elasticache:DescribeUsers', 'elasticache:ModifyUser']);
    expect(user.statement.Resource).toEqual({
      'Fn::If': ['IsAlternating', [{ Ref: 'UserArn' }, { 'Fn::Sub': CLONE_ARN_SUB }], [{ Ref: 'UserArn' }]],
    });
  });

  it('grants CreateUser and ModifyUserGroup only for alternating users', () => {
    const create = statements().find(({ statement }) =>
      actionsOf(statement).includes('elasticache:CreateUser'),
    )!;
    expect(create.condition).toBe('IsAlternating');
    expect(create.statement.Resource).toEqual({ 'Fn::Sub': CLONE_ARN_SUB });
    const groups = statements().find(({ statement }) =>
      actionsOf(statement).includes('elasticache:ModifyUserGroup'),
    )!;
    expect(groups.condition).toBe('AlternatesInUserGroups');
    expect(actionsOf(groups.statement)).toEqual(['elasticache:ModifyUserGroup']);
  });

  it('lets the login test find the caches on the named user groups and caches only', () => {
    const find = (action: string) =>
      statements().find(({ statement }) => actionsOf(statement).includes(action))!;
    const groups = find('elasticache:DescribeUserGroups');
    expect(groups.condition).toBe('HasUserGroups');
    expect(groups.statement.Resource).toEqual({ Ref: 'UserGroupArns' });
    const caches = find('elasticache:DescribeReplicationGroups');
    expect(caches.condition).toBe('HasCaches');
    expect(actionsOf(caches.statement).sort()).toEqual([
      'elasticache:DescribeReplicationGroups',
      'elasticache:DescribeServerlessCaches',
    ]);
    expect(caches.statement.Resource).toEqual({ Ref: 'CacheArns' });
    expect(template.Parameters.LoginTest).toMatchObject({
      Default: 'required',
      AllowedValues: ['required', 'off'],
    });
  });

  it('has no wildcard action, and a wildcard resource only for GetRandomPassword when that source is chosen', () => {
    for (const { statement, condition } of statements()) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
      if (JSON.stringify(statement.Resource).includes('"*"') || statement.Resource === '*') {
        expect(actionsOf(statement)).toEqual(['secretsmanager:GetRandomPassword']);
        expect(condition).toBe('UsesGetRandomPassword');
      }
    }
    expect(template.Parameters.PasswordSource!.Default).toBe('local');
  });

  it('lets Secrets Manager invoke the function, conditioned on aws:SourceAccount (not SourceArn)', () => {
    const permission = resources.SecretsManagerInvokePermission!;
    expect(permission.Type).toBe('AWS::Lambda::Permission');
    expect(permission.Properties).toEqual({
      FunctionName: { Ref: 'RotationFunction' },
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it("sets AWS's environment variables, and the function accepts them as deployed with the defaults", () => {
    const variables = (
      resources.RotationFunction!.Properties.Environment as { Variables: Record<string, Node> }
    ).Variables;
    for (const name of [
      'SECRETS_MANAGER_ENDPOINT',
      'SECRET_ARN',
      'USER_NAME',
      'EXCLUDE_CHARACTERS',
      'PASSWORD_LENGTH',
      'MAX_WAITING_TIME_FOR_ACTIVE_IN_SECONDS',
      'WAITING_RETRY_INTERVAL_IN_SECONDS',
    ]) {
      expect(variables).toHaveProperty(name);
    }
    const sample: Record<string, string> = {
      SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/ec/user1-eaFois',
      UserName: 'user1',
      Strategy: 'dual-password',
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      const ref = (value as { Ref?: string }).Ref;
      if (typeof value === 'string') env[name] = value;
      else if (ref) env[name] = String(sample[ref] ?? template.Parameters[ref]?.Default ?? '');
      else env[name] = 'https://secretsmanager.us-east-1.amazonaws.com';
    }
    const config = readConfig(env);
    expect(config.engine).toMatchObject({
      passwordLength: 32,
      excludeCharacters: '/@"\'\\',
      maxWaitingTimeMs: 600_000,
      dataPlane: { tls: true, rejectUnauthorized: true },
    });
    expect(config.strategy).toBe('dual-password');
    expect(config.loginTest).toBe('required');
    expect(config.connections.every((connection) => connection.transport === 'verified-tls')).toBe(true);
  });
});

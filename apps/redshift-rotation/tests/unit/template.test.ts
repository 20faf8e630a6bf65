/**
 * The SAM template's IAM: every statement is scoped as narrowly as the action allows, nothing grants a
 * wildcard action, and the transport-specific permissions exist only under their conditions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config.ts';

type Json = Record<string, unknown>;
const template = parse(readFileSync(join(import.meta.dirname, '../../template.yaml'), 'utf8')) as Json;
const resources = template.Resources as Record<
  string,
  { Type: string; Condition?: string; Properties: Json }
>;
const fn = resources.RotationFunction!.Properties;

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  condition?: string;
}

/** Flattens `Fn::If` wrappers, remembering the condition each statement depends on. */
function statements(): Statement[] {
  const documents = (fn.Policies as unknown[]).filter(
    (policy): policy is { Statement: unknown[] } =>
      typeof policy === 'object' && policy !== null && 'Statement' in policy,
  );
  const found: Statement[] = [];
  for (const document of documents) {
    for (const entry of document.Statement) {
      const wrapped = (entry as Json)['Fn::If'] as [string, Statement, unknown] | undefined;
      if (wrapped) found.push({ ...wrapped[1], condition: wrapped[0] });
      else found.push(entry as Statement);
    }
  }
  const vpc = resources.VpcAccessPolicy!;
  for (const statement of (vpc.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
    found.push({ ...statement, condition: vpc.Condition });
  }
  return found;
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const bySid = (sid: string) => statements().find((statement) => statement.Sid === sid)!;

describe('template.yaml', () => {
  it('runs the bundle on nodejs22.x with the handler the build produces', () => {
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Handler).toBe('index.handler');
    expect(fn.CodeUri).toBe('dist/redshift-rotation.zip');
  });

  it('keeps the environment variables of AWS functions', () => {
    const variables = Object.keys((fn.Environment as { Variables: Json }).Variables);
    for (const name of [
      'SECRETS_MANAGER_ENDPOINT',
      'PASSWORD_LENGTH',
      'EXCLUDE_CHARACTERS',
      'EXCLUDE_PUNCTUATION',
      'REQUIRE_EACH_INCLUDED_TYPE',
    ]) {
      expect(variables).toContain(name);
    }
  });

  it('sets only environment values the function accepts (parameters at their defaults)', () => {
    const parameters = template.Parameters as Record<string, { Default?: unknown }>;
    const resolve = (value: unknown): string => {
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      const ref = (value as { Ref?: string }).Ref;
      if (ref) return String(parameters[ref]?.Default ?? '');
      const sub = (value as { 'Fn::Sub'?: string })['Fn::Sub'];
      if (sub)
        return sub.replace(/\$\{AWS::Region\}/, 'eu-west-1').replace(/\$\{AWS::URLSuffix\}/, 'amazonaws.com');
      throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    };
    const env = Object.fromEntries(
      Object.entries((fn.Environment as { Variables: Json }).Variables).map(([name, value]) => [
        name,
        resolve(value),
      ]),
    );
    const config = readConfig(env);
    expect(config.secretsManagerEndpoint).toBe('https://secretsmanager.eu-west-1.amazonaws.com');
    expect(config.engine.password).toEqual({
      length: 32,
      excludeCharacters: '/@"\'\\:',
      excludePunctuation: false,
      requireEachIncludedType: true,
    });
  });

  it('grants no wildcard action and only known actions', () => {
    const allowed = new Set([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      'secretsmanager:ListSecretVersionIds',
      'redshift-data:ExecuteStatement',
      'redshift-data:BatchExecuteStatement',
      'redshift-data:DescribeStatement',
      'redshift-data:GetStatementResult',
      'redshift-data:ListStatements',
      'redshift:GetClusterCredentials',
      'redshift:DescribeClusters',
      'redshift-serverless:GetWorkgroup',
      'redshift-serverless:GetNamespace',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    for (const statement of statements()) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) {
        expect(action).not.toContain('*');
        expect(allowed.has(action), `unexpected action ${action}`).toBe(true);
      }
    }
  });

  it('scopes Secrets Manager to the rotated secret, and the admin secret to reading only', () => {
    const rotate = bySid('RotateTheSecret');
    expect(rotate.condition).toBeUndefined();
    expect(rotate.Resource).toEqual({ Ref: 'RotatedSecretArn' });
    const admin = bySid('ReadTheAdminSecret');
    expect(admin.condition).toBe('HasAdminSecret');
    expect(admin.Resource).toEqual({ Ref: 'AdminSecretArn' });
    expect(actionsOf(admin).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    const secretStatements = statements().filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    for (const statement of secretStatements) expect(statement.Resource).not.toBe('*');
    // Core generates passwords locally by default: GetRandomPassword is not needed.
    expect(statements().flatMap(actionsOf)).not.toContain('secretsmanager:GetRandomPassword');
  });

  it('grants Data API, endpoint lookups, temporary credentials and VPC permissions only under their conditions', () => {
    const conditional: Record<string, string> = {
      LookUpTheClusterEndpoint: 'LooksUpClusterEndpoint',
      LookUpTheWorkgroupEndpoint: 'LooksUpWorkgroupEndpoint',
      CheckTheManagedAdminNamespace: 'ChecksManagedAdminNamespace',
      RunStatementsOnTheCluster: 'DataApiOnCluster',
      RunStatementsOnTheWorkgroup: 'DataApiOnServerless',
      FollowOwnStatements: 'UseDataApi',
      ListOwnStatements: 'ReadsStatementHistory',
      TemporaryCredentialsForOneUser: 'UseTemporaryCredentials',
      DecryptTheSecrets: 'HasKmsKey',
      LambdaNetworkInterfaces: 'UseVpc',
    };
    for (const [sid, condition] of Object.entries(conditional)) expect(bySid(sid).condition).toBe(condition);
    expect(
      statements()
        .map((s) => s.Sid)
        .sort(),
    ).toEqual([...Object.keys(conditional), 'RotateTheSecret', 'ReadTheAdminSecret'].sort());
  });

  it('names the one cluster or workgroup in every Redshift resource', () => {
    const resourceOf = (sid: string) => JSON.stringify(bySid(sid).Resource);
    expect(resourceOf('LookUpTheClusterEndpoint')).toContain(`:cluster:$\{ClusterIdentifier}`);
    expect(resourceOf('RunStatementsOnTheCluster')).toContain(`:cluster:$\{ClusterIdentifier}`);
    expect(resourceOf('LookUpTheWorkgroupEndpoint')).toContain(`:workgroup/$\{WorkgroupId}`);
    expect(resourceOf('RunStatementsOnTheWorkgroup')).toContain(`:workgroup/$\{WorkgroupId}`);
    expect(resourceOf('CheckTheManagedAdminNamespace')).toContain(`:namespace/$\{NamespaceId}`);
  });

  it('grants temporary credentials for one database user and one database, on the named cluster only', () => {
    const parameters = template.Parameters as Record<string, { Default?: unknown }>;
    expect(parameters.DatabaseUser?.Default).toBe('');
    expect(JSON.stringify(bySid('TemporaryCredentialsForOneUser').Resource)).toBe(
      JSON.stringify([
        {
          'Fn::Sub': `arn:$\{AWS::Partition}:redshift:$\{AWS::Region}:$\{AWS::AccountId}:dbuser:$\{ClusterIdentifier}/$\{DatabaseUser}`,
        },
        {
          'Fn::Sub': `arn:$\{AWS::Partition}:redshift:$\{AWS::Region}:$\{AWS::AccountId}:dbname:$\{ClusterIdentifier}/$\{DatabaseName}`,
        },
      ]),
    );
    // Serverless takes no DbUser: temporary credentials there are refused, and never granted.
    expect(statements().flatMap(actionsOf)).not.toContain('redshift-serverless:GetCredentials');
  });

  it("limits the statement-history actions to the role's own statements", () => {
    for (const sid of ['FollowOwnStatements', 'ListOwnStatements']) {
      expect((bySid(sid) as unknown as { Condition: unknown }).Condition).toEqual({
        StringEquals: { 'redshift-data:statement-owner-iam-userid': `$\{aws:userid}` },
      });
    }
  });

  it('refuses at deploy time what the function would refuse at run time', () => {
    const rules = template.Rules as Record<string, { Assertions: Array<{ AssertDescription: string }> }>;
    const descriptions = Object.values(rules).flatMap((rule) =>
      rule.Assertions.map((a) => a.AssertDescription),
    );
    expect(descriptions).toEqual(
      expect.arrayContaining([
        'Give ClusterIdentifier or WorkgroupName (a pg function may give AllowedHosts instead)',
        'Give ClusterIdentifier or WorkgroupName, not both',
        'A workgroup needs its WorkgroupId (IAM resources name workgroups by id)',
        'Temporary credentials (DbUser) work on provisioned clusters only',
        'Temporary credentials need the DatabaseUser they are granted for',
        'LoginCheck=none cannot prove a new password; set LoginTest=off to accept that',
      ]),
    );
  });

  it('lets Secrets Manager invoke the function only from this account', () => {
    const permission = resources.SecretsManagerInvokePermission!.Properties;
    expect(permission.Principal).toBe('secretsmanager.amazonaws.com');
    expect(permission.Action).toBe('lambda:InvokeFunction');
    expect(permission.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('puts the function in a VPC only when subnets are given', () => {
    const vpc = fn.VpcConfig as Json;
    const [condition, , otherwise] = vpc['Fn::If'] as [string, unknown, unknown];
    expect(condition).toBe('UseVpc');
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
  });

  it('limits PASSWORD_LENGTH to Redshift rules at deploy time too', () => {
    const parameters = template.Parameters as Record<string, Json>;
    expect(parameters.PasswordLength).toMatchObject({ MinValue: 8, MaxValue: 64 });
  });
});

import { ElastiCacheUserRotation, type ElastiCacheUserRotationProps } from '@rotor/cdk';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { elastiCacheRotationGrants } from '../../src/grants/elasticache-grants.ts';
import {
  ACCOUNT,
  alarmTopic,
  importedSecret,
  KMS_KEY_ARN,
  onlyResource,
  SECRET_ARN,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

const GROUP_ARN = `arn:aws:elasticache:us-east-1:${ACCOUNT}:usergroup:app-group`;
const CACHE_ARN = `arn:aws:elasticache:us-east-1:${ACCOUNT}:replicationgroup:app-cache`;

function deploy(overrides: Partial<ElastiCacheUserRotationProps> = {}, options: { key?: boolean } = {}) {
  const stack = testStack();
  const vpc = testVpc(stack);
  const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'CacheSg', { vpc, allowAllOutbound: false });
  const rotation = new ElastiCacheUserRotation(stack, 'Rotation', {
    secret: importedSecret(stack, 'Secret', SECRET_ARN, options.key),
    userArn: USER_ARN,
    userName: 'app',
    strategy: 'dual-password',
    vpc,
    secretsManagerAccess: 'create-endpoint',
    userGroupArns: [GROUP_ARN],
    cacheArns: [CACHE_ARN],
    cache: { host: 'master.app-cache.abc123.use1.cache.amazonaws.com', connections: cacheSecurityGroup },
    alarmTopic: alarmTopic(stack),
    ...overrides,
  });
  return { stack, rotation, tpl: template(stack), cacheSecurityGroup };
}

/** The role's inline policy `name`, statements as plain data. */
function inlinePolicy(tpl: ReturnType<typeof template>, name: string) {
  const role = onlyResource(tpl, 'AWS::IAM::Role');
  const policies = role.Properties.Policies as Array<{
    PolicyName: string;
    PolicyDocument: { Statement: unknown[] };
  }>;
  const policy = policies.find((entry) => entry.PolicyName === name);
  return (policy?.PolicyDocument.Statement ?? []) as Array<{
    Sid: string;
    Action: string | string[];
    Resource: unknown;
    Effect: string;
  }>;
}

const asStatements = (grants: ReturnType<typeof elastiCacheRotationGrants>) =>
  grants.map((grant) => ({
    Sid: grant.sid,
    Effect: 'Allow',
    Action: grant.actions.length === 1 ? grant.actions[0] : grant.actions,
    Resource: grant.resources.length === 1 ? grant.resources[0] : grant.resources,
  }));

describe('ElastiCacheUserRotation', () => {
  it('deploys the bundled function on nodejs22.x with 15 minutes of timeout and the environment AWS uses', () => {
    const { tpl } = deploy();
    tpl.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 256,
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          SECRET_ARN,
          USER_NAME: 'app',
          ROTOR_STRATEGY: 'dual-password',
          ROTOR_CACHE_HOST: 'master.app-cache.abc123.use1.cache.amazonaws.com',
          ROTOR_CACHE_PORT: '6379',
          ROTOR_CACHE_TLS: 'true',
          ROTOR_CACHE_ARNS: CACHE_ARN,
          ROTOR_PASSWORD_SOURCE: 'local',
        }),
      },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() }),
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    tpl.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it("grants exactly the engine's statements, plus logs to its own group and the VPC network interfaces", () => {
    const { tpl } = deploy({}, { key: true });
    expect(inlinePolicy(tpl, 'rotation')).toEqual(
      asStatements(
        elastiCacheRotationGrants({
          secretArn: SECRET_ARN,
          userArn: USER_ARN,
          strategy: 'dual-password',
          userGroupArns: [GROUP_ARN],
          cacheArns: [CACHE_ARN],
          passwordSource: 'local',
          kmsKeyArn: KMS_KEY_ARN,
        }),
      ),
    );
    const execution = inlinePolicy(tpl, 'execution');
    expect(execution.map((statement) => statement.Sid)).toEqual(['WriteOwnLogs', 'LambdaNetworkInterfaces']);
    expect(execution[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LogGroup/), 'Arn'] });
    const role = onlyResource(tpl, 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(inlinePolicy(tpl, 'rotation'))).not.toContain('GetRandomPassword');
  });

  it('alternating users adds the clone and its user groups; secrets-manager passwords add GetRandomPassword', () => {
    const { tpl } = deploy({ strategy: 'alternating-users', passwordSource: 'secrets-manager' });
    const sids = inlinePolicy(tpl, 'rotation').map((statement) => statement.Sid);
    expect(sids).toEqual([
      'RotateTheSecret',
      'ChangeTheUser',
      'CreateTheCloneUser',
      'FindTheUserGroups',
      'FindTheCacheEndpoints',
      'AddTheCloneToTheUserGroups',
      'GeneratePasswords',
    ]);
    tpl.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ROTOR_STRATEGY: 'alternating-users',
          ROTOR_PASSWORD_SOURCE: 'secrets-manager',
        }),
      },
    });
  });

  it('lets Secrets Manager invoke the function from this account only, before the schedule exists', () => {
    const { tpl } = deploy();
    const permission = onlyResource(tpl, 'AWS::Lambda::Permission');
    expect(permission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
    });
    const schedule = onlyResource(tpl, 'AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties).toMatchObject({
      SecretId: SECRET_ARN,
      RotationLambdaARN: { 'Fn::GetAtt': [expect.stringMatching(/RotationFunction/), 'Arn'] },
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
    expect(schedule.DependsOn).toContain(permission.id);
  });

  it('takes a schedule expression and window, or no schedule at all', () => {
    const scheduled = deploy({
      schedule: { scheduleExpression: 'rate(10 days)', window: Duration.hours(3) },
    }).tpl;
    scheduled.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '3h' },
    });
    deploy({ schedule: false }).tpl.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('opens HTTPS and the cache port only, and a Secrets Manager endpoint reachable from the function alone', () => {
    const { tpl } = deploy();
    const groups = tpl.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('Rotor rotation function') },
    });
    const [functionGroupId, functionGroup] = Object.entries(groups)[0]!;
    expect(
      (functionGroup as { Properties: { SecurityGroupEgress: unknown[] } }).Properties.SecurityGroupEgress,
    ).toEqual([
      {
        CidrIp: '0.0.0.0/0',
        Description: 'HTTPS to AWS service APIs',
        FromPort: 443,
        IpProtocol: 'tcp',
        ToPort: 443,
      },
    ]);
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [functionGroupId, 'GroupId'] },
      FromPort: 6379,
      ToPort: 6379,
      Description: 'ElastiCache login test',
    });
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [functionGroupId, 'GroupId'] },
      FromPort: 6379,
    });
    tpl.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [functionGroupId, 'GroupId'] },
      FromPort: 443,
      Description: 'Secrets Manager endpoint',
    });
    // open: false - the endpoint admits no VPC-wide CIDR.
    expect(JSON.stringify(tpl.findResources('AWS::EC2::SecurityGroup'))).not.toContain(
      '"CidrIp":{"Fn::GetAtt"',
    );
  });

  it('alarms on failed steps and forwards RotationFailed and RotationAbandoned events for this secret to the topic', () => {
    const { tpl } = deploy();
    const alarm = onlyResource(tpl, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Rotor',
      MetricName: 'RotationStepFailed',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/RotationFunction/) } },
        { Name: 'service', Value: 'rotor-elasticache-rotation' },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/Alarms/) }],
    });
    const rule = onlyResource(tpl, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['RotationFailed', 'RotationAbandoned'],
        additionalEventData: { SecretId: [SECRET_ARN] },
      },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { Ref: expect.stringMatching(/Alarms/) } }),
    ]);
  });

  it('without a topic the alarm and the rule still exist, with no action or target', () => {
    const { tpl } = deploy({ alarmTopic: undefined });
    expect(onlyResource(tpl, 'AWS::CloudWatch::Alarm').Properties.AlarmActions).toBeUndefined();
    expect(onlyResource(tpl, 'AWS::Events::Rule').Properties.Targets).toBeUndefined();
  });
});

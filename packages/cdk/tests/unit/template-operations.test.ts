/**
 * What every SAM template gives an operator, evaluated with the template's own conditions: a log group with
 * retention, a timeout from a parameter, and an optional Secrets Manager interface endpoint for functions in
 * private subnets, reachable from the function alone and refused without the VPC it needs. The constructs'
 * endpoint is compared with the templates'.
 */

import { ElastiCacheUserRotation } from '@rotor/cdk';
import { describe, expect, it } from 'vitest';
import { TemplateEvaluator } from '../support/cfn-evaluate.ts';
import {
  importedSecret,
  PSEUDO,
  REGION,
  SECRET_ARN,
  samTemplate,
  template,
  testStack,
  testVpc,
  USER_ARN,
} from '../support/stacks.ts';

/** Parameters each template needs to deploy at all. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  'elasticache-rotation': { SecretArn: SECRET_ARN, UserArn: USER_ARN, UserName: 'app', LoginTest: 'off' },
  'redshift-rotation': { RotatedSecretArn: SECRET_ARN, ClusterIdentifier: 'reporting' },
  'postgres-rotation': { RotatedSecretArn: SECRET_ARN, AllowedHosts: 'orders-db.internal' },
};
const APPS = Object.keys(REQUIRED);
const IN_A_VPC = {
  SubnetIds: 'subnet-0a,subnet-0b',
  SecurityGroupIds: 'sg-0function,sg-0other',
  VpcId: 'vpc-0abc',
};

const evaluate = (app: string, parameters: Record<string, unknown> = {}) =>
  new TemplateEvaluator(samTemplate(app), { ...REQUIRED[app], ...parameters }, PSEUDO);

function resourcesOfType(evaluator: TemplateEvaluator, type: string): Array<Record<string, unknown>> {
  return evaluator
    .resourceIds()
    .filter((id) => evaluator.resourceType(id) === type)
    .flatMap((id) => evaluator.resource(id) ?? []) as Array<Record<string, unknown>>;
}

describe.each(APPS)('%s template', (app) => {
  it("keeps the function's logs in its own log group, with retention from a parameter", () => {
    const [group, ...others] = resourcesOfType(
      evaluate(app, { LogRetentionInDays: 30 }),
      'AWS::Logs::LogGroup',
    );
    expect(others).toEqual([]);
    expect(group).toEqual({ LogGroupName: '/aws/lambda/<RotationFunction>', RetentionInDays: 30 });
    expect(evaluate(app).resource('RotationFunctionLogGroup')).toMatchObject({ RetentionInDays: 90 });
  });

  it('takes the timeout from a parameter, at most Lambda’s 15 minutes', () => {
    const [fn] = resourcesOfType(evaluate(app, { TimeoutSeconds: 840 }), 'AWS::Serverless::Function');
    expect(fn!.Timeout).toBe(840);
    const declared = (samTemplate(app).Parameters as Record<string, { MaxValue?: number }>).TimeoutSeconds;
    expect(declared?.MaxValue).toBe(900);
  });

  it('creates no Secrets Manager endpoint unless asked, nor outside a VPC', () => {
    expect(resourcesOfType(evaluate(app, IN_A_VPC), 'AWS::EC2::VPCEndpoint')).toEqual([]);
    expect(
      resourcesOfType(evaluate(app, { CreateSecretsManagerEndpoint: 'true' }), 'AWS::EC2::VPCEndpoint'),
    ).toEqual([]);
  });

  it('creates an interface endpoint with private DNS that admits HTTPS from the function only', () => {
    const evaluator = evaluate(app, { ...IN_A_VPC, CreateSecretsManagerEndpoint: 'true' });
    expect(evaluator.failedAssertions()).toEqual([]);
    expect(resourcesOfType(evaluator, 'AWS::EC2::VPCEndpoint')).toEqual([
      {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.${REGION}.secretsmanager`,
        VpcId: 'vpc-0abc',
        SubnetIds: ['subnet-0a', 'subnet-0b'],
        SecurityGroupIds: ['<SecretsManagerEndpointSecurityGroup>'],
        PrivateDnsEnabled: true,
      },
    ]);
    const [group] = resourcesOfType(evaluator, 'AWS::EC2::SecurityGroup');
    expect(group!.SecurityGroupIngress).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: 'sg-0function',
        Description: 'HTTPS from the rotation function',
      },
    ]);
  });

  it('refuses at deploy time an endpoint without its VPC, subnets or security group', () => {
    const refused = (parameters: Record<string, unknown>) =>
      evaluate(app, { CreateSecretsManagerEndpoint: 'true', ...parameters }).failedAssertions();
    expect(refused({ ...IN_A_VPC, VpcId: '' })).toEqual([expect.stringMatching(/needs VpcId/)]);
    expect(refused({ ...IN_A_VPC, SecurityGroupIds: '' })).toEqual([
      expect.stringMatching(/needs SecurityGroupIds/),
    ]);
    expect(refused({ VpcId: 'vpc-0abc' })).toEqual([
      expect.stringMatching(/needs SubnetIds/),
      expect.stringMatching(/needs SecurityGroupIds/),
    ]);
  });

  it('starts the first scheduled rotation only once the log group and endpoint exist', () => {
    const resources = samTemplate(app).Resources as Record<
      string,
      { DependsOn?: string[]; Metadata?: unknown }
    >;
    if (!resources.RotationSchedule) return; // the Redshift template leaves the schedule to the caller
    expect(resources.RotationSchedule.DependsOn).toEqual([
      'SecretsManagerInvokePermission',
      'RotationPrerequisites',
    ]);
    const evaluator = evaluate(app, { ...IN_A_VPC, CreateSecretsManagerEndpoint: 'true' });
    expect(evaluator.resolve(resources.RotationPrerequisites!.Metadata)).toEqual({
      SecretsManagerEndpoint: '<SecretsManagerEndpoint>',
      LogGroup: '<RotationFunctionLogGroup>',
    });
  });
});

describe("the constructs' endpoint is the templates'", () => {
  it('interface endpoint for Secrets Manager with private DNS, admitting the function on 443', () => {
    const stack = testStack();
    new ElastiCacheUserRotation(stack, 'Rotation', {
      secret: importedSecret(stack, 'Secret', SECRET_ARN),
      userArn: USER_ARN,
      userName: 'app',
      strategy: 'dual-password',
      vpc: testVpc(stack),
      secretsManagerAccess: 'create-endpoint',
      loginTest: 'off',
    });
    const evaluator = new TemplateEvaluator(template(stack).toJSON() as Record<string, unknown>, {}, PSEUDO);
    const [endpoint] = resourcesOfType(evaluator, 'AWS::EC2::VPCEndpoint');
    expect(endpoint).toMatchObject({
      VpcEndpointType: 'Interface',
      ServiceName: `com.amazonaws.${REGION}.secretsmanager`,
      PrivateDnsEnabled: true,
    });
  });
});

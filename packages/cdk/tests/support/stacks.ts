/** Test stacks and fixtures: a concrete account and region, so ARNs in the templates are plain strings. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse } from 'yaml';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/app-AbCdEf`;
export const ADMIN_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/admin-GhIjKl`;
export const KMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const USER_ARN = `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:app`;
/** The pseudo parameters of the test stacks, for evaluating templates. */
export const PSEUDO = { partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' };

/** An app's SAM template (apps/<app>/template.yaml), parsed. */
export function samTemplate(app: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../../../../apps/${app}/template.yaml`, import.meta.url));
  return parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export function testStack(app = new App()): Stack {
  return new Stack(app, `Test${app.node.children.length}`, { env: { account: ACCOUNT, region: REGION } });
}

/** A secret known by its full ARN, optionally encrypted with a customer managed key. */
export function importedSecret(
  stack: Stack,
  id: string,
  arn: string,
  withKey = false,
): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretAttributes(stack, id, {
    secretCompleteArn: arn,
    ...(withKey ? { encryptionKey: kms.Key.fromKeyArn(stack, `${id}Key`, KMS_KEY_ARN) } : {}),
  });
}

/** A VPC for tests; its flow-log finding is the fixture's, not the construct's. */
export function testVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  Validations.of(vpc).acknowledge({
    id: 'AwsSolutions-VPC7',
    reason: 'Test fixture VPC standing in for the user network; flow logs are the user stack concern',
  });
  return vpc;
}

export function alarmTopic(stack: Stack): sns.Topic {
  return new sns.Topic(stack, 'Alarms', {
    enforceSSL: true,
    masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }),
  });
}

export const template = (stack: Stack) => Template.fromStack(stack);

/** The one resource of a type in a template, with its logical id. */
export function onlyResource(
  tpl: Template,
  type: string,
): { id: string; Properties: Record<string, unknown>; DependsOn?: string[] } {
  const found = Object.entries(tpl.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, ...(resource as { Properties: Record<string, unknown>; DependsOn?: string[] }) };
}

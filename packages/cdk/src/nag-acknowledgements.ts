/**
 * Acknowledgements (CDK's `Validations.of().acknowledge()`, which cdk-nag v3 reads) for the findings the
 * constructs cannot avoid, each with its reason. Only wildcard resources that an action requires are
 * acknowledged, one finding at a time, in the finding format of cdk-nag's AwsSolutions-IAM5.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Why each statement that may hold a wildcard resource needs it (keyed by statement id). */
const WILDCARD_REASONS: Record<string, string> = {
  LambdaNetworkInterfaces:
    "Lambda's VPC network-interface actions have no resource-level permissions (as in AWS's AWSLambdaVPCAccessExecutionRole)",
  GeneratePasswords:
    'secretsmanager:GetRandomPassword has no resource type; granted only with passwordSource secrets-manager',
  FollowOwnStatements:
    'Redshift Data API DescribeStatement and GetStatementResult have no resource type; the statement-owner-iam-userid condition limits them to the role session own statements',
  ListOwnStatements:
    'Redshift Data API ListStatements has no resource type; granted only without direct logins, limited to the role session own statements',
};

export interface AcknowledgedStatement {
  sid: string;
  resources: readonly string[];
}

/** Acknowledges AwsSolutions-IAM5 for each wildcard resource of `statements`, on `scope` (the role). */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  statements: readonly AcknowledgedStatement[],
): void {
  const stack = Stack.of(scope);
  for (const statement of statements) {
    for (const resource of statement.resources) {
      const flat = flattenReference(stack.resolve(resource));
      if (!flat.includes('*')) continue;
      const reason = WILDCARD_REASONS[statement.sid];
      // A wildcard without a recorded reason is a bug in this package, never something to pass silently.
      if (!reason)
        throw new Error(`@rotor/cdk: statement ${statement.sid} has a wildcard resource and no reason`);
      Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
    }
  }
}

/** A resolved CloudFormation value as cdk-nag prints it: Ref as <Name>, GetAtt as <Name.Attr>, joins flattened. */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}

import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  ListNamespacesCommand,
  ListWorkgroupsCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import type { AdminSecret } from '@rotor/core/engine';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redshiftEngine } from '../../src/redshift-engine.ts';
import { redshiftSecretSchema } from '../../src/redshift-secret.ts';
import { lookUpServiceLinkedEndpoint } from '../../src/service-linked-endpoint.ts';
import { stepContext } from '../support/step-context.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const redshift = new RedshiftClient({ region: 'us-east-1', credentials });
const serverless = new RedshiftServerlessClient({ region: 'us-east-1', credentials });
const redshiftMock = mockClient(redshift);
const serverlessMock = mockClient(serverless);
const clients = { redshift, serverless };

const managed = (tags: Record<string, string>): AdminSecret => ({
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!admin-AbC',
  value: { username: 'admin', password: 'AdminPassw0rd' },
  tags,
});
const NAMESPACE_ARN = 'arn:aws:redshift-serverless:us-east-1:123456789012:namespace/0f1e2d3c';

beforeEach(() => {
  redshiftMock.reset();
  serverlessMock.reset();
});

describe('lookUpServiceLinkedEndpoint', () => {
  it('reads a provisioned cluster endpoint from DescribeClusters', async () => {
    redshiftMock.on(DescribeClustersCommand, { ClusterIdentifier: 'analytics' }).resolves({
      Clusters: [{ Endpoint: { Address: 'analytics.abc.us-east-1.redshift.amazonaws.com', Port: 5440 } }],
    });
    const endpoint = await lookUpServiceLinkedEndpoint(
      managed({
        'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:analytics',
      }),
      { host: 'x' },
      { step: 'setSecret' },
      clients,
    );
    expect(endpoint).toEqual({ host: 'analytics.abc.us-east-1.redshift.amazonaws.com', port: 5440 });
  });

  it('pages through namespaces and workgroups and picks the workgroup the user is on', async () => {
    serverlessMock
      .on(ListNamespacesCommand)
      .resolvesOnce({ namespaces: [{ namespaceArn: 'other', namespaceName: 'other' }], nextToken: 'n2' })
      .resolvesOnce({ namespaces: [{ namespaceArn: NAMESPACE_ARN, namespaceName: 'sales' }] });
    serverlessMock
      .on(ListWorkgroupsCommand)
      .resolvesOnce({
        workgroups: [
          {
            namespaceName: 'sales',
            endpoint: {
              address: 'first.123456789012.us-east-1.redshift-serverless.amazonaws.com',
              port: 5439,
            },
          },
        ],
        nextToken: 'w2',
      })
      .resolvesOnce({
        workgroups: [
          {
            namespaceName: 'sales',
            endpoint: {
              address: 'second.123456789012.us-east-1.redshift-serverless.amazonaws.com',
              port: 5439,
            },
          },
        ],
      });
    const endpoint = await lookUpServiceLinkedEndpoint(
      managed({ 'aws:redshift-serverless:namespacearn': NAMESPACE_ARN }),
      { host: 'second.123456789012.us-east-1.redshift-serverless.amazonaws.com' },
      { step: 'setSecret' },
      clients,
    );
    expect(endpoint?.host).toBe('second.123456789012.us-east-1.redshift-serverless.amazonaws.com');
    expect(serverlessMock.commandCalls(ListNamespacesCommand)).toHaveLength(2);
    expect(serverlessMock.commandCalls(ListWorkgroupsCommand)[1]!.args[0].input.nextToken).toBe('w2');
  });

  it('maps IAM refusals to PermissionDeniedError', async () => {
    serverlessMock
      .on(ListNamespacesCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    await expect(
      lookUpServiceLinkedEndpoint(
        managed({ 'aws:redshift-serverless:namespacearn': NAMESPACE_ARN }),
        { host: 'x' },
        { step: 'setSecret' },
        clients,
      ),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});

describe('engine with a Redshift-managed admin secret over pg', () => {
  const user = redshiftSecretSchema.parse({
    engine: 'redshift',
    host: 'sales.123456789012.us-east-1.redshift-serverless.amazonaws.com',
    username: 'app',
    password: 'AppPassw0rdAbc',
  });

  it('refuses when the looked-up endpoint is not where the user is (no admin password sent elsewhere)', async () => {
    const engine = redshiftEngine({
      serviceLinkedEndpoint: async () => ({ host: 'elsewhere.example.com', port: 5439 }),
    });
    await expect(
      engine.setPasswords(
        {
          user,
          passwords: ['NewPassw0rdXyz'],
          principal: {
            kind: 'admin',
            admin: managed({ 'aws:redshift-serverless:namespacearn': NAMESPACE_ARN }),
          },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_SECRET',
      message: expect.stringMatching(/refusing to send admin/),
    });
  });

  it('refuses when the cluster or workgroup cannot be found', async () => {
    const engine = redshiftEngine({ serviceLinkedEndpoint: async () => undefined });
    await expect(
      engine.setPasswords(
        {
          user,
          passwords: ['NewPassw0rdXyz'],
          principal: {
            kind: 'admin',
            admin: managed({ 'aws:redshift-serverless:namespacearn': NAMESPACE_ARN }),
          },
        },
        stepContext(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET', message: expect.stringMatching(/not found/) });
  });
});

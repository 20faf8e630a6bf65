import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { CallCounter, subtractCounts, totalsByService } from '../../src/workload/api-calls.js';

describe('CallCounter', () => {
  it('counts each request an SDK client sends, by service and operation, retries included', async () => {
    // Prepare: an endpoint that refuses connections, and two attempts per call
    const counter = new CallCounter();
    const client = counter.watch(
      new SecretsManagerClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 2,
      }),
    );

    // Act
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'x' }))).rejects.toThrow();
    client.destroy();

    // Assess
    expect(counter.snapshot()).toEqual({ secretsmanager: { GetSecretValue: 2 } });
  });
});

describe('subtractCounts and totalsByService', () => {
  it("leaves what the endpoint served beyond the demo's own calls", () => {
    const endpoint = {
      secretsmanager: { GetSecretValue: 30, PutSecretValue: 3, RotateSecret: 3 },
      elasticache: { ModifyUser: 3 },
    };
    const own = { secretsmanager: { GetSecretValue: 20, RotateSecret: 3 } };
    const rotation = subtractCounts(endpoint, own);
    expect(rotation).toEqual({
      secretsmanager: { GetSecretValue: 10, PutSecretValue: 3 },
      elasticache: { ModifyUser: 3 },
    });
    expect(totalsByService(rotation)).toEqual({ secretsmanager: 13, elasticache: 3 });
  });

  it('shows a negative count when the demo counted calls the endpoint did not (a bug worth seeing)', () => {
    expect(subtractCounts({}, { secretsmanager: { DescribeSecret: 1 } })).toEqual({
      secretsmanager: { DescribeSecret: -1 },
    });
  });
});

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startLocalAws } from '@rotor/local-aws';
import { describeStageSemantics, mockSecretsManager } from '@rotor/testkit/secrets-manager';

// The same cases against the test model and against the emulator: if either changes a staging-label rule
// without the other, one of these two runs fails (decision 0110).
describeStageSemantics('the stage model (aws-sdk-client-mock)', async () => ({
  client: mockSecretsManager().client,
}));

describeStageSemantics('local-aws', async () => {
  const aws = await startLocalAws();
  const client = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { ...aws.credentials },
    maxAttempts: 1,
  });
  return {
    client,
    close: async () => {
      client.destroy();
      await aws.stop();
    },
  };
});

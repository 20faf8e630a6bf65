import { describe, expect, it } from 'vitest';
import { parseRedshiftOptions } from '../../src/redshift-options.ts';
import { dataClientFactory } from '../../src/redshift-sessions.ts';

async function endpointOf(options: Parameters<typeof parseRedshiftOptions>[0]): Promise<string> {
  const client = dataClientFactory(parseRedshiftOptions(options))();
  const endpoint = await client.config.endpoint?.();
  return endpoint ? `${endpoint.protocol}//${endpoint.hostname}` : 'regional';
}

describe('dataClientFactory', () => {
  it('sends Data API calls to a configured endpoint (a VPC endpoint), not the regional one', async () => {
    expect(
      await endpointOf({
        dataApi: { endpoint: 'https://vpce-1.redshift-data.example', region: 'eu-west-1' },
      }),
    ).toBe('https://vpce-1.redshift-data.example');
    // Negative control: without one, no custom endpoint is set.
    expect(await endpointOf({ dataApi: { region: 'eu-west-1' } })).toBe('regional');
  });

  it('uses the configured region, and builds the client once', async () => {
    const factory = dataClientFactory(parseRedshiftOptions({ dataApi: { region: 'ap-south-1' } }));
    expect(await factory().config.region()).toBe('ap-south-1');
    expect(factory()).toBe(factory());
  });
});

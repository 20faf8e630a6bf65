/**
 * How every AWS SDK client the CLI creates is configured: the default credential chain and region for real
 * AWS, or a local endpoint (`--endpoint`).
 */

export interface AwsTarget {
  /** Endpoint URL for every service (the local endpoint serves them all on one port). */
  endpoint?: string | undefined;
  region?: string | undefined;
}

export interface AwsClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    return LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * A local endpoint needs a region and some credentials to sign with, but checks neither; when the user has
 * none configured, placeholders are used so `rotor status x --endpoint http://127.0.0.1:4566` just works.
 * Non-loopback endpoints (VPC endpoints) keep the default credential chain.
 */
export function awsClientConfig(target: AwsTarget, env: NodeJS.ProcessEnv = process.env): AwsClientConfig {
  const config: AwsClientConfig = {};
  if (target.endpoint) config.endpoint = target.endpoint;
  const local = isLoopbackEndpoint(target.endpoint);
  const region =
    target.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  if (region) config.region = region;
  if (local && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  if (local) config.maxAttempts = 1;
  return config;
}

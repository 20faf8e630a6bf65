/**
 * A crash scenario: one engine, one strategy, one way of setting the target up. The runner gives each case
 * a fresh target (its own users and secret), drives a real rotation of it through the engine's built
 * Lambda bundle, crashes it once, and then asks the scenario's adapters what the server accepts.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * What the local endpoint serves for a scenario besides Secrets Manager, in a form both the in-process
 * endpoint and the `local-aws` process (endpoint-kill cases) take.
 */
export interface CrashEndpointServices {
  /**
   * ElastiCache replication groups, each played by its own TLS Redis (user groups need in-transit
   * encryption, and a user logs in only to the caches of its user groups).
   */
  elasticache?: { caches: readonly CrashCache[]; modifyingDelayMs?: number };
  /** The Redshift Data API: ClusterIdentifier / WorkgroupName -> PostgreSQL admin URL. */
  redshiftData?: { clusters?: Record<string, string>; workgroups?: Record<string, string> };
}

/** A replication group of the endpoint: the admin URL of its Redis and the CA file that verifies it. */
export interface CrashCache {
  replicationGroupId: string;
  /** `rediss://` admin URL. */
  redisUrl: string;
  /** PEM file of the certificate that verifies the Redis. */
  caFile: string;
}

/** What a scenario's `prepare` may use: the endpoint of this case, and a name unique to it. */
export interface CrashCaseContext {
  /** A short id unique to the case (letters and digits), to build user and secret names from. */
  readonly caseId: string;
  /**
   * The worker running the case (0 to concurrency - 1): cases of one slot run one after another, so a
   * scenario may give each slot resources of its own (ElastiCache: caches whose user group it replaces).
   */
  readonly slot: number;
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** An SDK client for the endpoint (the operator's, not the function's: never crashed). */
  readonly secretsManager: SecretsManagerClient;
}

/** The function Secrets Manager invokes: the engine's built bundle and its environment. */
export interface CrashFunction {
  bundlePath: string;
  /** Export name or `file.export`. Default `handler`. */
  handler?: string;
  timeoutSeconds?: number;
  environment: Record<string, string>;
}

/**
 * A credential the server holds for a user, and a test of whether a password opens it: a Redis ACL
 * password hash (SHA-256), a PostgreSQL SCRAM or md5 verifier.
 */
export interface HeldCredential {
  /** Names the credential in a report without revealing it: `ACL password 1 of 2`, `SCRAM verifier`. */
  describe: string;
  opens(password: string): boolean;
}

export interface UserCredentials {
  username: string;
  credentials: HeldCredential[];
}

/** Versions as the invariants see them: every value the secret has held, and its labels now. */
export interface SecretVersionView {
  versionId: string;
  stages: string[];
  value: Record<string, unknown> | undefined;
}

export interface PreparedTarget {
  /** The secret to rotate (name or ARN). */
  secretId: string;
  function: CrashFunction;
  /** Logs in with a fresh connection: true when the server accepts the credentials, false when it refuses. */
  login(username: string, password: string): Promise<boolean>;
  /** Every user of this target and what the server holds for it, read after the case. */
  heldCredentials(): Promise<UserCredentials[]>;
  /** The engine's control-plane state the rotation must leave complete (ElastiCache: the clone's groups). */
  controlPlaneProblems?(versions: SecretVersionView[]): Promise<string[]>;
  /** Drops what the case created on the servers. */
  cleanup?(): Promise<void>;
}

export interface CrashScenario {
  /** `engine/strategy[/variant]`, used to select scenarios and in every report line. */
  name: string;
  /** Whether AWSCURRENT must log in at every moment (dual-password, alternating users). */
  loginThroughout: boolean;
  /** The services the endpoint runs for this scenario. */
  services: CrashEndpointServices;
  /** Creates a fresh target for one case: users on the server, the secret, the function's environment. */
  prepare(context: CrashCaseContext): Promise<PreparedTarget>;
}

import type { EngineSecret } from '@rotor/core/engine';

/**
 * Another real server next to the target, which the engine under test is allowed to reach. Like the target,
 * everything here works without the engine.
 */
export interface OtherServer<TSecret extends EngineSecret> {
  /** The engine's secret for `username` on this server. */
  secretFor(username: string, password?: string): TSecret;
  createUser(username: string, password: string): Promise<void>;
  canLogin(username: string, password: string): Promise<boolean>;
  /** The value of an admin secret that works on this server (credentials engines). */
  admin?: { value: Record<string, unknown>; tags?: Record<string, string> };
}

/**
 * A service-managed admin secret (an RDS-managed master secret, a Redshift-managed admin secret): credentials
 * only, naming no host, located by its tags. The kit varies the tags itself (another account, another region,
 * none) from the ones given here.
 */
export interface ManagedAdminSecret {
  /** What kind it is, for failures: 'an RDS-managed master secret of a DB instance'. */
  name: string;
  /** The secret's value: credentials only (no host, port or database), that work on the target. */
  value: Record<string, unknown>;
  /**
   * Its tags as the service sets them, naming the target's resource (instance, cluster, namespace) by an ARN in
   * the kit's function scope (TEST_FUNCTION_SCOPE: aws, us-east-1, 123456789012).
   */
  tags: Record<string, string>;
  /**
   * The same tags naming another resource of that account and region, which the control plane the engine asks
   * places elsewhere: at `otherServer`'s endpoint when the harness has one.
   */
  otherResourceTags: Record<string, string>;
}

/**
 * What the engine's test setup arranges for managed admin secrets: the engine under test (createEngine) asks a
 * control plane that this setup answers, counting the requests.
 */
export interface ManagedAdmin {
  /** At least one; each kind the engine supports (a DB instance's, a cluster's...). */
  secrets: readonly ManagedAdminSecret[];
  /** How many control-plane requests the engine has made so far (every kind: describe, lookups...). */
  controlPlaneCalls(): number;
}

/**
 * What only an engine's own test setup can arrange: servers that are down, busy, elsewhere or untrusted, and
 * the target's limits. Each member is optional for the type, but the hostile checks that need one fail until
 * the target provides it (a check that quietly does nothing proves nothing); members that cannot apply to an
 * engine (an admin elsewhere, for an engine without admin secrets) are never asked for.
 */
export interface ConformanceHarness<TSecret extends EngineSecret> {
  /** The longest username the target accepts, in UTF-8 bytes (PostgreSQL: 63). */
  maxUsernameBytes?: number;
  /**
   * Secret fields (host, port...) naming an endpoint the engine is allowed to reach where nothing listens, so
   * every connection is refused.
   */
  downEndpoint?: Record<string, unknown>;
  /**
   * From now until the returned function is called, the target turns away new sessions of `username` as
   * busy (PostgreSQL: too many connections, SQLSTATE 53300; Redis: max clients), a condition a retry outlives.
   */
  makeBusy?(username: string): Promise<() => Promise<void>>;
  /** A second server of the same kind at another port, where the admin's credentials also work. */
  otherServer?: OtherServer<TSecret>;
  /**
   * True when an admin secret holding only credentials (no host, port or database) works on its user's server,
   * as AWS's RDS functions default it; otherwise the kit accepts a clear refusal (INVALID_SECRET) as well.
   */
  adminDefaultsToUsersServer?: boolean;
  /**
   * The admin secret's value naming another database on the target (where the admin may connect), for
   * engines whose secrets name one. The admin must be able to work there, and not in the user's database.
   */
  adminInOtherDatabase?: Record<string, unknown>;
  /**
   * A server whose TLS certificate the engine must refuse (self-signed, unknown CA). Its `secretFor` asks for
   * verified TLS; the engine must not log in there, nor send it any password.
   */
  untrustedTlsServer?: OtherServer<TSecret>;
  /**
   * Arranges the target so that cloning `source` into `cloneUsername` fails after the clone's first change
   * (PostgreSQL: a membership that cannot be granted). The clone must leave nothing half-made.
   */
  breakClone?(source: string, cloneUsername: string): Promise<void>;
  /**
   * Service-managed admin secrets (no host; tags name the resource) and the control plane that locates them,
   * for engines with `changeAuthority: 'credentials'` that accept such secrets.
   */
  managedAdmin?: ManagedAdmin;
}

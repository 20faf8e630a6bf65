/**
 * The only place the engine learns where to send a password: an allowed host from the function's
 * configuration, or an endpoint the control plane reports for the cluster or workgroup. The secret's
 * `host`/`port` are used only when they are one of those; otherwise the step fails before any connection.
 */
import {
  assertSecretKeepsTls,
  findEndpoint,
  type HostPort,
  InvalidConfigurationError,
  InvalidSecretError,
  type StepContext,
  type TlsMode,
} from '@rotor/core/engine';
import type { ControlPlane } from './control-plane.js';
import { DEFAULT_PORT } from './redshift-secret.js';
import {
  describeTarget,
  type RedshiftTarget,
  type ResolvedTarget,
  resolveTarget,
} from './redshift-target.js';

export interface EndpointResolverSettings {
  /** `allowedHosts`: when set, the control plane is not asked. */
  allowedHosts: readonly HostPort[] | undefined;
  configuredTarget: RedshiftTarget | undefined;
  tls: TlsMode;
  controlPlane: () => Promise<ControlPlane>;
}

type SecretLocation = { host: string; port?: string | number | undefined } & Record<string, unknown>;

export interface EndpointResolver {
  /** The cluster or workgroup the secret is about (checked names, ARNs in scope), or undefined. */
  target(secret: SecretLocation, context: StepContext): ResolvedTarget | undefined;
  /** The trusted endpoint the secret's host and port are; throws before anything connects otherwise. */
  endpoint(secret: SecretLocation, context: StepContext): Promise<HostPort>;
  /** Whether endpoints come from the configuration (no control-plane calls). */
  readonly configured: boolean;
}

const describeEndpoints = (endpoints: readonly HostPort[]) =>
  endpoints.map((endpoint) => `${endpoint.host}:${endpoint.port}`).join(', ');

export function createEndpointResolver(settings: EndpointResolverSettings): EndpointResolver {
  // One lookup per target and step: a step logs in several times.
  const lookups = new WeakMap<StepContext, Map<string, Promise<HostPort[]>>>();
  const trustedEndpoints = (resolved: ResolvedTarget, context: StepContext): Promise<HostPort[]> => {
    const perStep = lookups.get(context) ?? new Map<string, Promise<HostPort[]>>();
    lookups.set(context, perStep);
    const key = describeTarget(resolved.target);
    let lookup = perStep.get(key);
    if (!lookup) {
      lookup = settings.controlPlane().then((plane) => plane.endpoints(resolved, context));
      // A failed lookup is not remembered: the next call asks again.
      lookup.catch(() => perStep.delete(key));
      perStep.set(key, lookup);
    }
    return lookup;
  };

  const target = (secret: SecretLocation, context: StepContext) =>
    resolveTarget(settings.configuredTarget, secret, context.functionScope, context.step);

  return {
    configured: settings.allowedHosts !== undefined,
    target,
    async endpoint(secret, context) {
      assertSecretKeepsTls(secret, settings.tls, { setting: `TLS ${settings.tls}`, step: context.step });
      const candidate = {
        host: secret.host,
        port: secret.port === undefined ? DEFAULT_PORT : Number(secret.port),
      };
      const where = `${candidate.host}:${candidate.port}`;
      if (settings.allowedHosts) {
        const allowed = findEndpoint(settings.allowedHosts, candidate);
        if (!allowed) {
          throw new InvalidSecretError(
            `The secret's host ${where} is not one of this function's allowed hosts (${describeEndpoints(settings.allowedHosts)}); refusing to send credentials there`,
            { step: context.step },
          );
        }
        return allowed;
      }
      const resolved = target(secret, context);
      if (!resolved) {
        throw new InvalidConfigurationError(
          `Cannot tell which cluster or workgroup ${where} belongs to, so it cannot be trusted: configure allowedHosts or a cluster identifier / workgroup name, or put "dbClusterIdentifier" / "workgroupName" in the secret`,
          { step: context.step },
        );
      }
      const trusted = await trustedEndpoints(resolved, context);
      const found = findEndpoint(trusted, candidate);
      if (!found) {
        throw new InvalidSecretError(
          `The secret's host ${where} is not an endpoint of ${describeTarget(resolved.target)} (the control plane reports ${describeEndpoints(trusted)}); refusing to send credentials there`,
          { step: context.step },
        );
      }
      return found;
    },
  };
}

/**
 * API call accounting. The local endpoint counts every request it serves, by service and operation; the demo
 * counts the requests its own SDK clients send (operator calls, client workers reading secrets). What the
 * rotation functions called is the endpoint's count minus the demo's own.
 */

/** service -> operation -> count, the shape the endpoint reports. */
export type CallCounts = Record<string, Record<string, number>>;

const SERVICE_BY_CLIENT: Record<string, string> = {
  SecretsManagerClient: 'secretsmanager',
  ElastiCacheClient: 'elasticache',
  RedshiftDataClient: 'redshift-data',
};

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string },
    ): void;
  };
}

export class CallCounter {
  #counts: CallCounts = {};

  add(service: string, operation: string, n = 1): void {
    const perService = this.#counts[service] ?? {};
    perService[operation] = (perService[operation] ?? 0) + n;
    this.#counts[service] = perService;
  }

  snapshot(): CallCounts {
    return structuredClone(this.#counts);
  }

  /**
   * Counts every request `client` sends. The deserialize step runs once per HTTP attempt (below the retry
   * middleware), so retries count as the endpoint counts them.
   */
  watch<T>(client: T): T {
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        const service = SERVICE_BY_CLIENT[context.clientName ?? ''] ?? context.clientName ?? 'unknown';
        this.add(service, (context.commandName ?? 'Unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'deserialize', name: 'rotorDemoCallCounter' },
    );
    return client;
  }
}

/** a - b, per service and operation, dropping zeros. */
export function subtractCounts(a: CallCounts, b: CallCounts): CallCounts {
  const result: CallCounts = {};
  for (const [service, operations] of Object.entries(a)) {
    for (const [operation, n] of Object.entries(operations)) {
      const difference = n - (b[service]?.[operation] ?? 0);
      if (difference !== 0) {
        result[service] ??= {};
        (result[service] as Record<string, number>)[operation] = difference;
      }
    }
  }
  for (const [service, operations] of Object.entries(b)) {
    for (const [operation, n] of Object.entries(operations)) {
      if (a[service]?.[operation] === undefined && n !== 0) {
        result[service] ??= {};
        (result[service] as Record<string, number>)[operation] = -n;
      }
    }
  }
  return result;
}

export function totalsByService(counts: CallCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([service, operations]) => [
      service,
      Object.values(operations).reduce((sum, n) => sum + n, 0),
    ]),
  );
}

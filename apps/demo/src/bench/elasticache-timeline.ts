/**
 * Watches the emulated ElastiCache service from the inside (no extra API calls) to measure the waiting
 * overhead of a rotation: how long after a user turned `active` again the rotation function noticed it.
 *
 * For each change (CreateUser / ModifyUser) the user turns active `modifyingDelayMs` after the service
 * answered; the first DescribeUsers answer that reports it active is when the waiting step noticed.
 * overhead = noticed - (answered + modifyingDelayMs). It includes the ~1 ms the emulator needs to apply the
 * ACL to Redis after the delay, so it is an upper bound of the polling overhead.
 */
import type { LocalService, QueryProtocolService } from '@rotor/local-aws';

export interface ActivationEpisode {
  userId: string;
  operation: 'CreateUser' | 'ModifyUser';
  answeredAt: number;
  activeAt: number;
  noticedAt: number | undefined;
}

export interface ElastiCacheTimeline {
  wrap(service: LocalService): LocalService;
  episodes(): ActivationEpisode[];
}

const WATCHED = new Set(['CreateUser', 'ModifyUser']);

export function createElastiCacheTimeline(
  modifyingDelayMs: number,
  now: () => number = () => performance.now(),
): ElastiCacheTimeline {
  const episodes: ActivationEpisode[] = [];
  const open = new Map<string, ActivationEpisode>();

  const observe = (action: string, params: URLSearchParams, xml: string, at: number) => {
    if (WATCHED.has(action)) {
      const userId = (params.get('UserId') ?? '').toLowerCase();
      if (!userId) return;
      const episode: ActivationEpisode = {
        userId,
        operation: action as ActivationEpisode['operation'],
        answeredAt: at,
        activeAt: at + modifyingDelayMs,
        noticedAt: undefined,
      };
      episodes.push(episode);
      open.set(userId, episode);
      return;
    }
    if (action !== 'DescribeUsers') return;
    for (const [userId, status] of userStatuses(xml)) {
      const episode = open.get(userId);
      if (episode && status === 'active') {
        episode.noticedAt = at;
        open.delete(userId);
      }
    }
  };

  return {
    wrap(service) {
      if (service.protocol !== 'awsQuery') return service;
      const inner: QueryProtocolService = service;
      const wrapped: QueryProtocolService = {
        protocol: 'awsQuery',
        serviceName: inner.serviceName,
        xmlNamespace: inner.xmlNamespace,
        async handle(action, params, context) {
          const xml = await inner.handle(action, params, context);
          observe(action, params, xml, now());
          return xml;
        },
        close: () => inner.close?.() ?? Promise.resolve(),
      };
      return wrapped;
    },
    episodes: () => episodes.map((episode) => ({ ...episode })),
  };
}

/** (userId, status) for each user in a DescribeUsers result. */
export function userStatuses(xml: string): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  const pattern = /<UserId>([^<]+)<\/UserId>[\s\S]*?<Status>([^<]+)<\/Status>/g;
  for (const match of xml.matchAll(pattern)) {
    if (match[1] && match[2]) result.push([match[1].toLowerCase(), match[2]]);
  }
  return result;
}

/** Overheads (ms) of the episodes that were noticed and whose change happened inside [from, to]. */
export function waitingOverheads(episodes: readonly ActivationEpisode[], from: number, to: number): number[] {
  return episodes
    .filter((e) => e.answeredAt >= from && e.answeredAt <= to && e.noticedAt !== undefined)
    .map((e) => Math.max(0, (e.noticedAt as number) - e.activeAt));
}

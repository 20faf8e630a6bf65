import type { QueryProtocolService, ServiceContext } from '@rotor/local-aws';
import { describe, expect, it } from 'vitest';
import {
  createElastiCacheTimeline,
  userStatuses,
  waitingOverheads,
} from '../../src/bench/elasticache-timeline.js';

const context = {} as ServiceContext;

function fakeService(statuses: Record<string, string>): QueryProtocolService {
  return {
    protocol: 'awsQuery',
    serviceName: 'elasticache',
    xmlNamespace: 'x',
    async handle(action, params) {
      if (action === 'DescribeUsers') {
        const id = params.get('UserId') ?? '';
        return `<Users><member><UserId>${id}</UserId><UserName>${id}</UserName><Status>${statuses[id]}</Status></member></Users>`;
      }
      return '<User/>';
    },
  };
}

describe('createElastiCacheTimeline', () => {
  it('measures from the moment the user turned active (answer + delay) to the first DescribeUsers that saw it', async () => {
    // Prepare: a clock the test moves
    let clock = 1_000;
    const statuses: Record<string, string> = { u1: 'modifying' };
    const timeline = createElastiCacheTimeline(500, () => clock);
    const service = timeline.wrap(fakeService(statuses)) as QueryProtocolService;

    // Act: ModifyUser answered at 1000 (active from 1500); polls at 1200 (modifying) and 1700 (active)
    await service.handle('ModifyUser', new URLSearchParams({ UserId: 'U1' }), context);
    clock = 1_200;
    await service.handle('DescribeUsers', new URLSearchParams({ UserId: 'u1' }), context);
    statuses.u1 = 'active';
    clock = 1_700;
    await service.handle('DescribeUsers', new URLSearchParams({ UserId: 'u1' }), context);
    clock = 1_900;
    await service.handle('DescribeUsers', new URLSearchParams({ UserId: 'u1' }), context);

    // Assess
    expect(timeline.episodes()).toEqual([
      { userId: 'u1', operation: 'ModifyUser', answeredAt: 1_000, activeAt: 1_500, noticedAt: 1_700 },
    ]);
    expect(waitingOverheads(timeline.episodes(), 0, 10_000)).toEqual([200]);
    expect(waitingOverheads(timeline.episodes(), 1_001, 10_000)).toEqual([]);
  });

  it('leaves an episode nobody polled unnoticed, and out of the overheads', async () => {
    const timeline = createElastiCacheTimeline(100, () => 5);
    const service = timeline.wrap(fakeService({})) as QueryProtocolService;
    await service.handle('CreateUser', new URLSearchParams({ UserId: 'u2' }), context);
    expect(timeline.episodes()[0]?.noticedAt).toBeUndefined();
    expect(waitingOverheads(timeline.episodes(), 0, 10)).toEqual([]);
  });

  it("reads every user's status from a DescribeUsers result", () => {
    const xml =
      '<Users><member><UserId>A</UserId><Status>active</Status><UserGroupIds><member>g</member></UserGroupIds></member>' +
      '<member><UserId>b</UserId><Status>modifying</Status></member></Users>';
    expect(userStatuses(xml)).toEqual([
      ['a', 'active'],
      ['b', 'modifying'],
    ]);
  });
});

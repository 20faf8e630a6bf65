import { describe, expect, it } from 'vitest';
import { analyzeSecret, formatAge, type SecretSnapshot } from '../../src/secret-status.js';

const now = new Date('2026-11-23T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

function snapshot(overrides: Partial<SecretSnapshot> = {}): SecretSnapshot {
  return {
    arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:production/ec/user1-AbCdEf',
    name: 'production/ec/user1',
    rotationEnabled: true,
    rotationLambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:rotor-elasticache',
    rotationRules: { automaticallyAfterDays: 30 },
    lastRotatedDate: minutesAgo(60),
    versions: [
      { versionId: 'v-current', stages: ['AWSCURRENT'], createdDate: minutesAgo(60) },
      { versionId: 'v-previous', stages: ['AWSPREVIOUS'], createdDate: minutesAgo(120) },
    ],
    ...overrides,
  };
}

describe('analyzeSecret', () => {
  it('reports a settled secret as ok, with the stage holders and an estimated next rotation', () => {
    // Act
    const status = analyzeSecret(snapshot(), { now });

    // Assess
    expect(status.state).toBe('ok');
    expect(status.healthy).toBe(true);
    expect(status.currentVersionId).toBe('v-current');
    expect(status.previousVersionId).toBe('v-previous');
    expect(status.pending).toBeNull();
    expect(status.rotation.nextRotation).toBe(
      new Date(minutesAgo(60).getTime() + 30 * 86_400_000).toISOString(),
    );
    expect(status.rotation.nextRotationEstimated).toBe(true);
    expect(status.rotation.schedule).toBe('every 30 days');
    expect(status.advice).toEqual([]);
  });

  it('prefers NextRotationDate from Secrets Manager over an estimate', () => {
    const next = new Date('2026-12-01T03:00:00Z');
    const status = analyzeSecret(snapshot({ nextRotationDate: next }), { now });
    expect(status.rotation.nextRotation).toBe(next.toISOString());
    expect(status.rotation.nextRotationEstimated).toBe(false);
  });

  it('reports AWSPENDING on a version that is not AWSCURRENT, older than the threshold, as stuck with what to do', () => {
    // Prepare
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'], createdDate: minutesAgo(600) },
      { versionId: 'v-pending', stages: ['AWSPENDING'], createdDate: minutesAgo(20) },
    ];

    // Act
    const status = analyzeSecret(snapshot({ versions }), { now, stuckAfterMs: 15 * 60_000 });

    // Assess
    expect(status.state).toBe('stuck');
    expect(status.healthy).toBe(false);
    expect(status.pending).toEqual({
      versionId: 'v-pending',
      created: minutesAgo(20).toISOString(),
      ageSeconds: 1200,
    });
    expect(status.findings.join(' ')).toContain('never finished');
    expect(status.advice.join('\n')).toContain('rotor rotate production/ec/user1 --engine');
    expect(status.advice.join('\n')).toContain(
      'update-secret-version-stage --secret-id production/ec/user1 --version-stage AWSPENDING --remove-from-version-id v-pending',
    );
  });

  it('reports a pending rotation whose AWSCURRENT the target refuses as interrupted at once, with the resume command', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'], createdDate: minutesAgo(600) },
      { versionId: 'v-pending', stages: ['AWSPENDING'], createdDate: minutesAgo(1) },
    ];
    const resume =
      'rotor rotate production/ec/user1 --engine postgres --token v-pending --engine-options \'{"tls":"disable"}\'';
    const status = analyzeSecret(snapshot({ versions }), {
      now,
      currentLogin: {
        engine: 'postgres',
        status: 'refused',
        detail: 'password authentication failed',
        resumeCommand: resume,
      },
    });
    expect(status.state).toBe('interrupted');
    expect(status.healthy).toBe(false);
    expect(status.findings.join(' ')).toContain('refuses AWSCURRENT (version v-current');
    expect(status.advice[0]).toContain(resume);
    expect(status.currentLogin?.status).toBe('refused');
  });

  it('keeps a young pending rotation whose AWSCURRENT still logs in as in progress', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'], createdDate: minutesAgo(600) },
      { versionId: 'v-pending', stages: ['AWSPENDING'], createdDate: minutesAgo(1) },
    ];
    const accepted = analyzeSecret(snapshot({ versions }), {
      now,
      currentLogin: {
        engine: 'elasticache',
        status: 'accepted',
        detail: 'ok',
        resumeCommand: 'rotor rotate x',
      },
    });
    expect(accepted.state).toBe('rotating');
    expect(accepted.healthy).toBe(true);
    const unchecked = analyzeSecret(snapshot({ versions }), {
      now,
      currentLogin: {
        engine: 'unknown',
        status: 'not-checked',
        detail: 'the engine is not known (give --engine)',
        resumeCommand: 'rotor rotate x',
      },
    });
    expect(unchecked.state).toBe('rotating');
    expect(unchecked.findings.join(' ')).toContain('was not checked: the engine is not known');
  });

  it('reports a young pending version as a rotation in progress, still healthy', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'], createdDate: minutesAgo(600) },
      { versionId: 'v-pending', stages: ['AWSPENDING'], createdDate: minutesAgo(2) },
    ];
    const status = analyzeSecret(snapshot({ versions }), { now, stuckAfterMs: 15 * 60_000 });
    expect(status.state).toBe('rotating');
    expect(status.healthy).toBe(true);
  });

  it('treats a pending version without a creation date as stuck (its age cannot be known)', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'] },
      { versionId: 'v-pending', stages: ['AWSPENDING'] },
    ];
    const status = analyzeSecret(snapshot({ versions }), { now });
    expect(status.state).toBe('stuck');
    expect(status.pending?.ageSeconds).toBeNull();
  });

  it('does not call AWSPENDING on the AWSCURRENT version stuck (a finished rotation may leave it)', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT', 'AWSPENDING'], createdDate: minutesAgo(5) },
    ];
    const status = analyzeSecret(snapshot({ versions }), { now, stuckAfterMs: 0 });
    expect(status.state).toBe('ok');
    expect(status.pending).toBeNull();
    expect(status.findings.join(' ')).toContain('blocks nothing');
  });

  it('reports a secret without AWSCURRENT as unhealthy', () => {
    const status = analyzeSecret(snapshot({ versions: [{ versionId: 'v1', stages: ['AWSPREVIOUS'] }] }), {
      now,
    });
    expect(status.state).toBe('no-current');
    expect(status.healthy).toBe(false);
  });

  it('says how to enable rotation when it is off, and stays healthy', () => {
    const status = analyzeSecret(
      snapshot({ rotationEnabled: false, rotationLambdaArn: undefined, rotationRules: undefined }),
      { now },
    );
    expect(status.state).toBe('ok');
    expect(status.healthy).toBe(true);
    expect(status.rotation.enabled).toBe(false);
    expect(status.rotation.nextRotation).toBeNull();
    expect(status.advice.join(' ')).toContain(
      'rotate-secret --secret-id production/ec/user1 --rotation-lambda-arn',
    );
  });

  it('notes an overdue rotation', () => {
    const status = analyzeSecret(snapshot({ nextRotationDate: minutesAgo(3 * 24 * 60) }), { now });
    expect(status.findings.join(' ')).toContain('has not happened');
  });

  it('hides versions without labels (deprecated versions)', () => {
    const versions = [
      { versionId: 'v-current', stages: ['AWSCURRENT'] },
      { versionId: 'v-old', stages: [] },
    ];
    expect(analyzeSecret(snapshot({ versions }), { now }).versions.map((v) => v.versionId)).toEqual([
      'v-current',
    ]);
  });
});

describe('formatAge', () => {
  it.each([
    [42, '42s'],
    [425, '7m 5s'],
    [3 * 3600 + 12 * 60, '3h 12m'],
    [2 * 86_400 + 4 * 3600, '2d 4h'],
  ])('formats %i seconds as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});

describe('stuck advice', () => {
  it('does not suggest RotateSecret while a rotation is pending (AWS refuses it then)', () => {
    const status = analyzeSecret(
      snapshot({
        versions: [
          { versionId: 'v-current', stages: ['AWSCURRENT'] },
          { versionId: 'v-pending', stages: ['AWSPENDING'] },
        ],
      }),
      { now },
    );
    expect(status.findings.join(' ')).toContain('RotateSecret refuses to start another rotation');
    expect(status.advice.join('\n')).not.toMatch(/^Or let Secrets Manager retry/m);
  });
});

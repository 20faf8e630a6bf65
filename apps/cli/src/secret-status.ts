/**
 * What `rotor status` concludes about a secret, computed from what Secrets Manager reports (DescribeSecret and
 * ListSecretVersionIds) and, while a rotation is pending, whether AWSCURRENT still logs in (checked by the
 * command, given here). Pure, so every verdict is unit-tested.
 */

export interface SecretVersionInfo {
  versionId: string;
  stages: string[];
  createdDate?: Date | undefined;
  lastAccessedDate?: Date | undefined;
}

/** The parts of DescribeSecret + ListSecretVersionIds that status looks at. */
export interface SecretSnapshot {
  arn: string;
  name: string;
  rotationEnabled?: boolean | undefined;
  rotationLambdaArn?: string | undefined;
  rotationRules?:
    | {
        automaticallyAfterDays?: number | undefined;
        scheduleExpression?: string | undefined;
        duration?: string | undefined;
      }
    | undefined;
  lastRotatedDate?: Date | undefined;
  lastChangedDate?: Date | undefined;
  nextRotationDate?: Date | undefined;
  versions: SecretVersionInfo[];
}

/**
 * - `ok`: AWSCURRENT exists and no rotation is pending;
 * - `rotating`: AWSPENDING sits on another version, but it is younger than the stuck threshold;
 * - `interrupted`: a rotation is pending and the target refuses AWSCURRENT: clients fail now, whatever the age;
 * - `stuck`: AWSPENDING sits on a version that is not AWSCURRENT, and has for longer than the threshold;
 * - `no-current`: no version is AWSCURRENT (nothing can read the secret by default).
 */
export type SecretState = 'ok' | 'rotating' | 'interrupted' | 'stuck' | 'no-current';

/** Whether the target accepted AWSCURRENT, checked with the engine while a rotation is pending. */
export interface CurrentLoginCheck {
  engine: string;
  status: 'accepted' | 'refused' | 'not-checked';
  /** The engine's reason, or why no login was attempted. Never secret material. */
  detail: string;
  /** The command that resumes the pending rotation with this engine (and the options given to status). */
  resumeCommand: string;
}

export interface SecretStatus {
  secret: { arn: string; name: string };
  rotation: {
    enabled: boolean;
    functionArn: string | null;
    schedule: string | null;
    lastRotated: string | null;
    nextRotation: string | null;
    /** True when Secrets Manager gave no NextRotationDate and it was computed from the schedule. */
    nextRotationEstimated: boolean;
  };
  versions: Array<{ versionId: string; stages: string[]; created: string | null }>;
  currentVersionId: string | null;
  previousVersionId: string | null;
  pending: { versionId: string; created: string | null; ageSeconds: number | null } | null;
  state: SecretState;
  /** Why the state is what it is, one sentence each. */
  findings: string[];
  /** What an operator can do about it, in order. */
  advice: string[];
  /** Present when a rotation is pending and an engine was known to log in with. */
  currentLogin: CurrentLoginCheck | null;
  /** Whether `rotor status` exits with the unhealthy code. */
  healthy: boolean;
}

export interface AnalyzeOptions {
  now: Date;
  /** A pending version older than this is reported as stuck (default 15 minutes: beyond a Lambda's maximum run). */
  stuckAfterMs?: number;
  /** The login with AWSCURRENT while a rotation is pending, when the command could attempt one. */
  currentLogin?: CurrentLoginCheck | undefined;
}

export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

export function analyzeSecret(snapshot: SecretSnapshot, options: AnalyzeOptions): SecretStatus {
  const stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
  const withStage = (stage: string) => snapshot.versions.find((v) => v.stages.includes(stage));
  const current = withStage('AWSCURRENT');
  const previous = withStage('AWSPREVIOUS');
  const pendingVersion = withStage('AWSPENDING');
  const enabled = snapshot.rotationEnabled === true;
  const findings: string[] = [];
  const advice: string[] = [];
  const id = snapshot.name;

  const next = nextRotation(snapshot);
  const pending =
    pendingVersion && pendingVersion.versionId !== current?.versionId
      ? {
          versionId: pendingVersion.versionId,
          created: iso(pendingVersion.createdDate),
          ageSeconds: pendingVersion.createdDate
            ? Math.max(0, Math.round((options.now.getTime() - pendingVersion.createdDate.getTime()) / 1000))
            : null,
        }
      : null;

  let state: SecretState = 'ok';
  if (!current) {
    state = 'no-current';
    findings.push('No version is labelled AWSCURRENT, so reads without a VersionId or VersionStage fail.');
    advice.push(
      `Put a working value back with: aws secretsmanager put-secret-value --secret-id ${id} --secret-string file://value.json`,
    );
  }
  const login = pending && current ? (options.currentLogin ?? null) : null;
  if (login?.status === 'refused') {
    // Not a matter of age: every client that reads AWSCURRENT is failing now.
    state = 'interrupted';
    findings.push(
      `The target refuses AWSCURRENT (version ${current!.versionId}, ${login.engine} login: ${login.detail}) while version ${pending!.versionId} is AWSPENDING: a rotation was interrupted after it changed the password, and clients that read AWSCURRENT fail now.`,
    );
    advice.push(
      `Resume the rotation now (it finishes the pending version, which makes AWSCURRENT log in again): ${login.resumeCommand}`,
    );
  } else if (login?.status === 'not-checked') {
    findings.push(`Whether the target still accepts AWSCURRENT was not checked: ${login.detail}.`);
  }
  if (pending && state !== 'interrupted') {
    const age = pending.ageSeconds;
    const young = age !== null && age * 1000 < stuckAfterMs;
    if (current) state = young ? 'rotating' : 'stuck';
    findings.push(
      `AWSPENDING is on version ${pending.versionId}` +
        (age !== null ? `, created ${formatAge(age)} ago,` : '') +
        ` but AWSCURRENT is on ${current ? `version ${current.versionId}` : 'no version'}: ` +
        (young
          ? 'a rotation is in progress (or failed moments ago).'
          : 'a rotation started and never finished (finishSecret did not run or failed).'),
    );
    if (!young) {
      findings.push(
        'While it stays, RotateSecret refuses to start another rotation ("A previous rotation isn\'t complete").',
      );
      advice.push(
        'Find the failing step in the rotation function\'s logs (CloudWatch group /aws/lambda/<function>): each step logs "<step> failed" with a code.',
        `After fixing the cause, resume this rotation in-process and watch each step: ${login?.resumeCommand ?? `rotor rotate ${id} --engine <engine>`}`,
        `Or abandon it (the user keeps its AWSCURRENT password; check the target still accepts it with rotor doctor ${id} --engine <engine>): ` +
          `aws secretsmanager update-secret-version-stage --secret-id ${id} --version-stage AWSPENDING --remove-from-version-id ${pending.versionId}`,
      );
    } else {
      advice.push(
        `Check again in a few minutes; a pending version older than ${formatAge(stuckAfterMs / 1000)} is reported as stuck.`,
      );
    }
  } else if (pendingVersion && current && pendingVersion.versionId === current.versionId) {
    findings.push(
      'AWSPENDING is on the AWSCURRENT version: a finished rotation left the label; it blocks nothing.',
    );
  }

  if (!enabled) {
    findings.push('Rotation is not enabled: Secrets Manager will not rotate this secret on a schedule.');
    advice.push(
      `Enable it with: aws secretsmanager rotate-secret --secret-id ${id} --rotation-lambda-arn <function-arn> --rotation-rules AutomaticallyAfterDays=30`,
    );
  } else if (next.date && next.date.getTime() < options.now.getTime() - DAY_MS && state === 'ok') {
    findings.push(`The next rotation was due ${next.date.toISOString()} and has not happened.`);
  }
  if (state === 'ok' && findings.length === 0) {
    findings.push('AWSCURRENT is set and no rotation is pending.');
  }

  return {
    secret: { arn: snapshot.arn, name: snapshot.name },
    rotation: {
      enabled,
      functionArn: snapshot.rotationLambdaArn ?? null,
      schedule: describeSchedule(snapshot.rotationRules),
      lastRotated: iso(snapshot.lastRotatedDate),
      nextRotation: iso(next.date),
      nextRotationEstimated: next.estimated,
    },
    versions: snapshot.versions
      .filter((v) => v.stages.length > 0)
      .map((v) => ({ versionId: v.versionId, stages: [...v.stages], created: iso(v.createdDate) })),
    currentVersionId: current?.versionId ?? null,
    previousVersionId: previous?.versionId ?? null,
    pending,
    state,
    findings,
    advice,
    currentLogin: login,
    healthy: state === 'ok' || state === 'rotating',
  };
}

function nextRotation(snapshot: SecretSnapshot): { date: Date | undefined; estimated: boolean } {
  if (snapshot.nextRotationDate) return { date: snapshot.nextRotationDate, estimated: false };
  const days = snapshot.rotationRules?.automaticallyAfterDays;
  const from = snapshot.lastRotatedDate;
  if (snapshot.rotationEnabled && days && from) {
    return { date: new Date(from.getTime() + days * DAY_MS), estimated: true };
  }
  return { date: undefined, estimated: false };
}

function describeSchedule(rules: SecretSnapshot['rotationRules']): string | null {
  if (!rules) return null;
  const parts: string[] = [];
  if (rules.scheduleExpression) parts.push(rules.scheduleExpression);
  else if (rules.automaticallyAfterDays) parts.push(`every ${rules.automaticallyAfterDays} days`);
  if (rules.duration) parts.push(`window ${rules.duration}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

function iso(date: Date | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** 42s, 7m 5s, 3h 12m, 2d 4h. */
export function formatAge(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

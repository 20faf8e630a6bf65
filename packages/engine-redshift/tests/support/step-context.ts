import type { RotorLogger, StepContext } from '@rotor/core/engine';

export interface CapturedLine {
  level: keyof RotorLogger;
  message: string;
  extra: unknown[];
}

/** A StepContext whose logger records every line (tests assert no password ever appears in one). */
export function stepContext(overrides: Partial<StepContext> = {}): StepContext & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const record =
    (level: keyof RotorLogger) =>
    (message: string, ...extra: unknown[]) =>
      lines.push({ level, message, extra });
  return {
    step: 'setSecret',
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
    clientRequestToken: 'token-1',
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    signal: new AbortController().signal,
    remainingTimeMs: () => 60_000,
    functionScope: { partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
    lines,
    ...overrides,
  };
}

export function allText(lines: CapturedLine[]): string {
  return lines.map((line) => `${line.message} ${JSON.stringify(line.extra)}`).join('\n');
}

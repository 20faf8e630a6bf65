/** What Lambda writes to a function's log stream for one invocation: START, the output, END and REPORT. */
import type { InvocationRecord, RegisteredFunction } from '../lambda/function-host.js';
import { logStreamNameFor } from '../lambda/function-host.js';

export function functionLogEvents(
  record: InvocationRecord,
  fn: RegisteredFunction,
): [streamName: string, events: Array<{ timestamp: number; message: string }>] {
  const id = record.awsRequestId;
  const started = record.startedAt;
  const ended = started + record.initDurationMs + record.durationMs;
  const output = record.logs
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((message) => ({ timestamp: started + record.initDurationMs, message }));
  const timedOut =
    record.outcome === 'timeout'
      ? [
          {
            timestamp: ended,
            message: `${new Date(ended).toISOString()} ${id} Task timed out after ${fn.config.timeoutSeconds.toFixed(2)} seconds`,
          },
        ]
      : [];
  const report = [
    `REPORT RequestId: ${id}`,
    `Duration: ${record.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(record.durationMs))} ms`,
    `Memory Size: ${fn.config.memorySizeMb} MB`,
    ...(record.coldStart ? [`Init Duration: ${record.initDurationMs.toFixed(2)} ms`] : []),
  ].join('\t');
  return [
    logStreamNameFor(started, id),
    [
      { timestamp: started, message: `START RequestId: ${id} Version: $LATEST` },
      ...output,
      ...timedOut,
      { timestamp: ended, message: `END RequestId: ${id}` },
      { timestamp: ended, message: report },
    ],
  ];
}

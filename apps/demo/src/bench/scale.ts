/**
 * Scale: rotating many secrets through the local endpoint at a fixed concurrency, with one rotation function
 * for all of them (as one deployed function serves many secrets). For each size: throughput, time per
 * rotation, API calls per rotation, and the peak memory of the endpoint process and of the function processes.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { CreateUserCommand } from '@aws-sdk/client-elasticache';
import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Summary } from '../report/stats.js';
import { summarize } from '../report/stats.js';
import { cacheFunctionEnvironment } from '../scenarios/elasticache.js';
import type { ScenarioEnvironment } from '../scenarios/scenario.js';
import { subtractCounts, totalsByService } from '../workload/api-calls.js';

export interface ScaleResult {
  secrets: number;
  concurrency: number;
  succeeded: number;
  failed: number;
  wallMs: number;
  rotationsPerSecond: number;
  rotationMs: Summary;
  callsPerRotation: Record<string, number>;
  peakEndpointRssMiB: number;
  peakFunctionRssMiB: number;
  peakFunctionProcesses: number;
  setupMs: number;
}

const PAGE_BYTES = 4096;
const MIB = 1024 * 1024;

/** RSS of this process and of its child processes running rotation functions (the function host's runner). */
export function sampleMemory(): { endpointRss: number; functionRss: number; functionProcesses: number } {
  let functionRss = 0;
  let functionProcesses = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may contain spaces) start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('runner.mjs')) continue;
      const rssPages = Number(readFileSync(`/proc/${entry}/statm`, 'utf8').split(' ')[1]);
      functionRss += rssPages * PAGE_BYTES;
      functionProcesses += 1;
    } catch {
      // The process ended while we looked.
    }
  }
  return { endpointRss: process.memoryUsage().rss, functionRss, functionProcesses };
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function runScale(
  env: ScenarioEnvironment,
  sizes: readonly number[],
  concurrency: number,
  log: (line: string) => void,
): Promise<ScaleResult[]> {
  const elasticache = env.elasticache;
  const redis = env.servers.redis;
  const bundle = env.bundles.elasticache;
  if (!elasticache || !redis || !bundle) throw new Error('The scale phase needs the ElastiCache environment');
  const fn = env.aws.registerFunction({
    functionName: 'rotor-elasticache-scale',
    bundlePath: bundle,
    timeoutSeconds: 120,
    // The seed users are off and in no user group: the login test finds them disabled (nothing to log in to).
    environment: { ROTOR_STRATEGY: 'dual-password', ...cacheFunctionEnvironment(redis) },
  });
  const results: ScaleResult[] = [];
  for (const size of sizes) {
    const setupStarted = performance.now();
    const names = Array.from({ length: size }, (_, i) => `scale-${size}-${i}`);
    await inParallel(names, 20, async (id) => {
      const user = await elasticache.send(
        new CreateUserCommand({
          UserId: id,
          UserName: id,
          Engine: 'REDIS',
          NoPasswordRequired: true,
          AccessString: 'off +get ~keys*',
        }),
      );
      await env.secretsManager.send(
        new CreateSecretCommand({
          Name: `scale/${id}`,
          SecretString: JSON.stringify({ user_arn: user.ARN, username: id }),
        }),
      );
    });
    const setupMs = performance.now() - setupStarted;
    log(
      `scale: ${size} secrets created in ${Math.round(setupMs)} ms; rotating them ${concurrency} at a time`,
    );

    const endpointBefore = env.aws.apiCalls();
    const ownBefore = env.counter.snapshot();
    let peak = sampleMemory();
    const sampler = setInterval(() => {
      const sample = sampleMemory();
      peak = {
        endpointRss: Math.max(peak.endpointRss, sample.endpointRss),
        functionRss: Math.max(peak.functionRss, sample.functionRss),
        functionProcesses: Math.max(peak.functionProcesses, sample.functionProcesses),
      };
    }, 100);
    const rotationMs: number[] = [];
    let failed = 0;
    const started = performance.now();
    try {
      await inParallel(names, concurrency, async (id) => {
        const begun = performance.now();
        await env.secretsManager.send(
          new RotateSecretCommand({
            SecretId: `scale/${id}`,
            RotationLambdaARN: fn.functionArn,
            RotationRules: { AutomaticallyAfterDays: 30 },
          }),
        );
        const record = await env.aws.waitForRotation(`scale/${id}`, { timeoutMs: 300_000 });
        if (record.status === 'succeeded') rotationMs.push(performance.now() - begun);
        else failed += 1;
      });
    } finally {
      clearInterval(sampler);
    }
    const wallMs = performance.now() - started;
    const calls = totalsByService(
      subtractCounts(
        subtractCounts(env.aws.apiCalls(), endpointBefore),
        subtractCounts(env.counter.snapshot(), ownBefore),
      ),
    );
    const result: ScaleResult = {
      secrets: size,
      concurrency,
      succeeded: rotationMs.length,
      failed,
      wallMs,
      rotationsPerSecond: rotationMs.length / (wallMs / 1000),
      rotationMs: summarize(rotationMs),
      callsPerRotation: Object.fromEntries(
        Object.entries(calls).map(([service, n]) => [service, Math.round((n / size) * 10) / 10]),
      ),
      peakEndpointRssMiB: Math.round((peak.endpointRss / MIB) * 10) / 10,
      peakFunctionRssMiB: Math.round((peak.functionRss / MIB) * 10) / 10,
      peakFunctionProcesses: peak.functionProcesses,
      setupMs,
    };
    log(
      `scale: ${size} rotations in ${Math.round(wallMs)} ms (${result.rotationsPerSecond.toFixed(1)}/s), ${failed} failed`,
    );
    results.push(result);
  }
  return results;
}

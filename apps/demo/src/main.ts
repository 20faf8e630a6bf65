/**
 * `pnpm demo`: see README.md. Exits 0 when every rotation succeeded, 1 otherwise, 2 for bad flags.
 */
import { parseDemoArgs } from './demo-options.js';
import { exploreHints } from './explore-hints.js';
import { type DemoHooks, runDemo } from './run-demo.js';

// The SDK warns on Node 20 that versions after January 2027 need Node 22; not news for a demo run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl+C, a closed terminal or a kill: exit through process.exit so the harness's exit hook stops the
// servers it started (a signal's default action would leave them running).
// With --keep, the first signal ends the wait instead, and the demo stops everything in order.
let endKeep: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (endKeep) {
      endKeep();
      endKeep = undefined;
      return;
    }
    process.stderr.write(`\n${signal}: stopping the servers.\n`);
    process.exit(130);
  });
}

const parsed = parseDemoArgs(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
if (parsed.kind === 'exit') {
  process.exitCode = parsed.code;
} else {
  try {
    const hooks: DemoHooks = parsed.options.keep
      ? {
          async beforeClose(env, results) {
            process.stdout.write(`\n${exploreHints(env, results).join('\n')}\n`);
            await new Promise<void>((resolve) => {
              endKeep = resolve;
            });
          },
        }
      : {};
    const outcome = await runDemo(parsed.options, { stdout: process.stdout, stderr: process.stderr }, hooks);
    process.exitCode = outcome.exitCode;
  } catch (error) {
    process.stderr.write(`pnpm demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

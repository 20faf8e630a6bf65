/**
 * `pnpm demo`: see README.md. Exits 0 when every rotation succeeded, 1 otherwise, 2 for bad flags.
 */
import { parseDemoArgs } from './demo-options.js';
import { runDemo } from './run-demo.js';

// The SDK warns on Node 20 that versions after January 2027 need Node 22; not news for a demo run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl+C, a closed terminal or a kill: exit through process.exit so the harness's exit hook stops the
// servers it started (a signal's default action would leave them running).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
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
    const outcome = await runDemo(parsed.options, { stdout: process.stdout, stderr: process.stderr });
    process.exitCode = outcome.exitCode;
  } catch (error) {
    process.stderr.write(`pnpm demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

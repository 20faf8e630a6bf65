/**
 * Entry of the crash interceptor, loaded into a function process with `node --import` (local-aws's
 * test-mode `functionPreload`). Inert unless the function's environment names a control directory.
 */
import { CONTROL_DIR_VARIABLE } from '../plan.js';
import { CallCounter } from './call-counter.js';
import { InterceptorControl } from './control.js';
import { installSocketHooks } from './socket-hooks.js';

const dir = process.env[CONTROL_DIR_VARIABLE];
if (dir) {
  const control = new InterceptorControl(dir);
  const counter = new CallCounter(control);
  installSocketHooks(counter, control);
  // Listening to IPC starts reading it, and a message read before the runner listens is lost to it. So this
  // listener is added only when the runner adds its own, just ahead of it: it sees each invocation first.
  let listening = false;
  process.on('newListener', (event: string | symbol) => {
    if (event !== 'message' || listening) return;
    listening = true;
    process.on('message', (message: { type?: string; event?: { Step?: unknown; SecretId?: unknown } }) => {
      if (message?.type === 'invoke') counter.startInvocation(message.event ?? {});
    });
  });
}

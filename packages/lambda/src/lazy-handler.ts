/**
 * A Lambda entry point that loads the rotation function on its first invocation instead of at init, so the
 * init phase loads only this module (issue 17 target 3; the Redshift app's lazy chunks are the same idea for
 * rarer code). The first invocation pays the load once; later invocations of the warm container do not.
 * A load that fails is retried by the next invocation rather than cached as a failure.
 *
 * It imports nothing itself: an app's entry (`src/index.ts`) is this plus a dynamic import, which the
 * bundler splits into a chunk.
 */

type Handler<TContext> = (event: unknown, context?: TContext) => Promise<void>;

export interface LazyHandler<TContext> extends Handler<TContext> {
  /** Loads the function without invoking it (the bench measures this; a warm-up can call it). */
  load(): Promise<Handler<TContext>>;
}

export function lazyHandler<TContext>(load: () => Promise<Handler<TContext>>): LazyHandler<TContext> {
  let loading: Promise<Handler<TContext>> | undefined;
  const get = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const handler: Handler<TContext> = async (event, context) => {
    const run = await get();
    await run(event, context);
  };
  return Object.assign(handler, { load: get });
}

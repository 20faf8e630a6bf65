import { lazyHandler } from '@rotor/lambda/lazy-handler';

/**
 * The Lambda entry point (`index.handler`). Lambda's init loads only this: the function itself (engine, SDK
 * clients, pg, Powertools, configuration check) is a chunk loaded by the first invocation and kept by the
 * warm container (issue 17; `pnpm bench` reports both costs).
 */
export const handler = lazyHandler(async () => (await import('./handler.js')).handler);

/** The Lambda entry point (`index.handler` in the bundle). */
export { handler } from './handler.js';

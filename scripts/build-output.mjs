/**
 * Lambda builds write into a staging directory and replace `dist/` only when the build succeeded, so a
 * test or the demo reading `dist/` while a build runs never finds it half-written or empty, and a build
 * that fails its size budget leaves the previous artifact in place.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';

/** A fresh, empty staging directory beside `finalDir`. */
export function startBuildOutput(finalDir) {
  const staging = `${finalDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Swaps the staging directory in as `finalDir` (two renames: the window without `finalDir` is tiny). */
export function publishBuildOutput(staging, finalDir) {
  const previous = `${finalDir}.previous-${process.pid}`;
  if (existsSync(finalDir)) renameSync(finalDir, previous);
  renameSync(staging, finalDir);
  rmSync(previous, { recursive: true, force: true });
}

export function discardBuildOutput(staging) {
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Where the rotation functions' code comes from: the apps' built bundles, copied into this package's
 * `assets/<app>/` by its build (scripts/copy-assets.mjs) and shipped in the published tarball. The path is
 * resolved from this module's own location, which is `src/` in the monorepo (tests run the sources) and
 * `dist/` once built or installed: `assets/` is their sibling in both.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigurationError } from '@rotor/core/errors';
import * as lambda from 'aws-cdk-lib/aws-lambda';

export type RotationApp = 'elasticache-rotation' | 'redshift-rotation' | 'postgres-rotation';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

/** The directory holding `index.mjs` (handler `index.handler`) for one app. */
export function bundleDirectory(app: RotationApp): string {
  return join(ASSETS, app);
}

/** The app's bundle as Lambda code; a missing bundle is a clear error at synth time, never a broken deploy. */
export function bundledCode(app: RotationApp): lambda.Code {
  const directory = bundleDirectory(app);
  if (!existsSync(join(directory, 'index.mjs'))) {
    throw new InvalidConfigurationError(
      `The ${app} bundle is missing from @rotor/cdk (${directory}). In the Rotor repository run ` +
        '`pnpm --filter @rotor/cdk build`; an installed package ships it, so reinstall @rotor/cdk.',
    );
  }
  return lambda.Code.fromAsset(directory);
}

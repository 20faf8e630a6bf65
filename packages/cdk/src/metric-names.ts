/**
 * The metric names and namespace the rotation functions publish (`ROTATION_METRICS` in @rotor/lambda, which
 * this package does not import so that a CDK app loads no Lambda code). A test keeps the two equal.
 */
export const ROTATION_METRICS = {
  namespace: 'Rotor',
  stepSucceeded: 'RotationStepSucceeded',
  stepFailed: 'RotationStepFailed',
  stepDuration: 'RotationStepDuration',
  targetApplyWait: 'TargetApplyWaitTime',
  testSecretLoggedIn: 'TestSecretLoggedIn',
} as const;

/** The four steps, spelled exactly as Secrets Manager sends them. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends to a rotation function, once per step. */
export interface RotationEvent {
  Step: RotationStep;
  /** The secret's ARN (Secrets Manager always sends the ARN). */
  SecretId: string;
  /** The id of the version being rotated in; the same for all four steps. */
  ClientRequestToken: string;
  /** Present for rotations through an assumed role; forwarded to PutSecretValue. */
  RotationToken?: string;
}

export const STAGE_CURRENT = 'AWSCURRENT';
export const STAGE_PENDING = 'AWSPENDING';
export const STAGE_PREVIOUS = 'AWSPREVIOUS';

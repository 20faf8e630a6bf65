import { AwsApiError } from '../service.js';
import type { SecretRecord } from './model.js';

export function secretNotFound(): AwsApiError {
  return new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
}

export function tokenInUse(token: string, secret: SecretRecord): AwsApiError {
  return new AwsApiError(
    'ResourceExistsException',
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
  );
}

/**
 * A request the endpoint refuses before any service sees it: a foreign Origin or Host, or a missing or bad
 * signature. AWS names the same fault differently per protocol (an unknown access key is
 * `UnrecognizedClientException`, 400, in awsJson and `InvalidClientTokenId`, 403, in awsQuery), so a
 * refusal carries both and the HTTP layer writes the one of the request's own protocol.
 */
export interface Refusal {
  readonly message: string;
  readonly awsJson: ProtocolError;
  readonly awsQuery: ProtocolError;
}

export interface ProtocolError {
  readonly code: string;
  readonly statusCode: number;
}

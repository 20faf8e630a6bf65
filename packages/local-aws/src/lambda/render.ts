/** Lambda's FunctionConfiguration shape, for functions created through the API and configured ones alike. */
import type { RegisteredFunction } from './function-host.js';
import type { LambdaFunctionRecord } from './function-repository.js';

/** Lambda writes LastModified as `2026-12-03T14:00:00.000+0000`. */
export const lambdaTimestamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export interface RenderState {
  /** CreateFunction answers `Pending` (the function becomes Active right after). */
  creating?: boolean;
  /** Update* answer `InProgress` (the update applies right after). */
  updating?: boolean;
}

export function functionConfiguration(
  fn: RegisteredFunction,
  record: LambdaFunctionRecord | undefined,
  state: RenderState = {},
): Record<string, unknown> {
  const environment = fn.config.environment;
  return {
    FunctionName: fn.functionName,
    FunctionArn: fn.functionArn,
    Runtime: record?.runtime ?? `nodejs${process.versions.node.split('.')[0]}.x`,
    Role: record?.role ?? `arn:aws:iam::${fn.functionArn.split(':')[4]}:role/local-aws-configured-function`,
    Handler: record ? record.handler : `index.${fn.config.handler}`,
    CodeSize: record?.codeSize ?? 0,
    Description: record?.description ?? '',
    Timeout: fn.config.timeoutSeconds,
    MemorySize: fn.config.memorySizeMb,
    LastModified: lambdaTimestamp(record?.lastModified ?? 0),
    CodeSha256: record?.codeSha256 ?? '',
    Version: '$LATEST',
    ...(Object.keys(environment).length > 0 ? { Environment: { Variables: { ...environment } } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: record?.revisionId ?? '00000000-0000-0000-0000-000000000000',
    State: state.creating ? 'Pending' : 'Active',
    ...(state.creating ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
    ...(state.creating ? {} : { LastUpdateStatus: state.updating ? 'InProgress' : 'Successful' }),
    ...(state.updating ? { LastUpdateStatusReason: 'The function is being updated.' } : {}),
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.functionName}` },
  };
}

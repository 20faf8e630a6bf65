import { ROTATION_METRICS } from '@rotor/cdk';
import { ROTATION_METRICS as published } from '@rotor/lambda';
import { describe, expect, it } from 'vitest';

describe('metric names', () => {
  it('are the ones the rotation functions publish', () => {
    expect(ROTATION_METRICS).toEqual(published);
  });
});

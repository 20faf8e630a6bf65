import { ROTATION_METRICS as published } from '@rotor/lambda';
import { describe, expect, it } from 'vitest';
import { ROTATION_METRICS } from '../../src/index.ts';

describe('metric names', () => {
  it('are the ones the rotation functions publish', () => {
    expect(ROTATION_METRICS).toEqual(published);
  });
});

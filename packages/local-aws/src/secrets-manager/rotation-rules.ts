import { AwsApiError } from '../service.js';
import type { Input } from './input.js';
import type { RotationRules } from './model.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const SCHEDULE_PATTERN = /^[0-9A-Za-z()#?*\-/, ]+$/;
const RATE_PATTERN = /^rate\((\d+) (hour|hours|day|days)\)$/;

function invalid(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterException', message);
}

/** Validates RotateSecret's `RotationRules` with the limits of RotationRulesType. */
export function parseRotationRules(raw: Input): RotationRules {
  const rules: RotationRules = {};
  const days = raw.AutomaticallyAfterDays;
  const schedule = raw.ScheduleExpression;
  const duration = raw.Duration;
  if (days !== undefined && days !== null) {
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000) {
      throw invalid('RotationRules.AutomaticallyAfterDays must be within 1-1000.');
    }
    rules.AutomaticallyAfterDays = days;
  }
  if (schedule !== undefined && schedule !== null) {
    if (
      typeof schedule !== 'string' ||
      schedule.length < 1 ||
      schedule.length > 256 ||
      !SCHEDULE_PATTERN.test(schedule)
    ) {
      throw invalid(
        'RotationRules.ScheduleExpression must be a rate() or cron() expression of 1-256 characters.',
      );
    }
    const rate = RATE_PATTERN.exec(schedule);
    if (rate) {
      const hours = rate[2]!.startsWith('hour') ? Number(rate[1]) : Number(rate[1]) * 24;
      if (hours < 4)
        throw invalid('The schedule expression must rotate no more often than every four hours.');
      if (hours > 1000 * 24) throw invalid('The schedule expression must rotate at least every 1000 days.');
    } else if (!schedule.startsWith('cron(') || !schedule.endsWith(')')) {
      throw invalid(`The schedule expression ${schedule} is not a valid rate() or cron() expression.`);
    }
    rules.ScheduleExpression = schedule;
  }
  if (rules.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw invalid(
      'You can specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.',
    );
  }
  if (duration !== undefined && duration !== null) {
    const match = typeof duration === 'string' ? /^(\d{1,2})h$/.exec(duration) : null;
    const hours = match ? Number(match[1]) : 0;
    if (hours < 1 || hours > 24) throw invalid('RotationRules.Duration must be between 1h and 24h.');
    rules.Duration = duration as string;
  }
  return rules;
}

/**
 * When the next scheduled rotation is due, from the last rotation (or configuration) time. AWS picks a
 * random hour inside the window; the emulator uses the start of the interval. Cron schedules are not
 * evaluated (no NextRotationDate).
 */
export function nextRotationDate(rules: RotationRules | undefined, from: number): number | undefined {
  if (!rules) return undefined;
  if (rules.AutomaticallyAfterDays !== undefined) return from + rules.AutomaticallyAfterDays * DAY_MS;
  const rate = rules.ScheduleExpression ? RATE_PATTERN.exec(rules.ScheduleExpression) : null;
  if (rate) return from + Number(rate[1]) * (rate[2]!.startsWith('hour') ? HOUR_MS : DAY_MS);
  return undefined;
}

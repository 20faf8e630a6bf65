/**
 * The part of CloudWatch Logs that reading a rotation function's logs needs (awsJson1_1,
 * `X-Amz-Target: Logs_20140328.<Op>`): DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents
 * (what `aws logs tail` calls) and DeleteLogGroup. Functions' output lands in `/aws/lambda/<name>`.
 */
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type JsonProtocolService, type ServiceContext } from '../service.js';
import type { LogEvent, LogGroup, LogStore } from './log-store.js';

export interface LogsService extends JsonProtocolService {
  readonly store: LogStore;
}

type Input = Record<string, unknown>;

function invalid(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterException', message);
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
  return value;
}

function optionalNumber(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function optionalBoolean(input: Input, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean.`);
  return value;
}

const groupArn = (context: ServiceContext, name: string) =>
  `arn:aws:logs:${context.region}:${context.accountId}:log-group:${name}`;

/** logGroupName or logGroupIdentifier (a name or an ARN), exactly one; ResourceNotFoundException when absent. */
function targetGroup(store: LogStore, input: Input): LogGroup {
  const name = optionalString(input, 'logGroupName');
  const identifier = optionalString(input, 'logGroupIdentifier');
  if ((name === undefined) === (identifier === undefined)) {
    throw invalid('Exactly one of logGroupName or logGroupIdentifier must be given.');
  }
  const groupName =
    name ??
    (identifier!.startsWith('arn:')
      ? identifier!.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '')
      : identifier!);
  const group = store.group(groupName);
  if (!group) throw new AwsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
}

function offsetToken(token: string | undefined, prefix: string): number | undefined {
  if (token === undefined) return undefined;
  const match = new RegExp(`^${prefix}/(\\d+)$`).exec(token);
  if (!match) throw invalid('The specified nextToken is invalid.');
  return Number(match[1]);
}

/**
 * Term filter patterns: every term (a word, or a "quoted phrase") must occur in the message; a term with `-`
 * before it must not. JSON and space-delimited patterns are refused rather than matched loosely.
 */
function termMatcher(pattern: string | undefined): (message: string) => boolean {
  if (pattern === undefined || pattern.trim() === '') return () => true;
  if (/^\s*[{[]/.test(pattern)) {
    throw invalid(
      'local-aws supports only term filter patterns (words and "quoted phrases"), not JSON or space-delimited ones.',
    );
  }
  const terms = [...pattern.matchAll(/(-?)"([^"]*)"|(-?)(\S+)/g)].map((match) => ({
    negated: (match[1] ?? match[3]) === '-',
    text: match[2] ?? match[4] ?? '',
  }));
  return (message) => terms.every((term) => message.includes(term.text) !== term.negated);
}

export function createLogsService(options: { store: LogStore; logger?: LocalAwsLogger }): LogsService {
  const { store } = options;
  const logger = options.logger ?? silentLogger;

  const operations: Record<string, (input: Input, context: ServiceContext) => Record<string, unknown>> = {
    DescribeLogGroups(input, context) {
      const prefix = optionalString(input, 'logGroupNamePrefix');
      const pattern = optionalString(input, 'logGroupNamePattern');
      if (prefix !== undefined && pattern !== undefined) {
        throw invalid('logGroupNamePrefix and logGroupNamePattern are mutually exclusive.');
      }
      const limit = optionalNumber(input, 'limit', 1, 50) ?? 50;
      const offset = offsetToken(optionalString(input, 'nextToken'), 'g') ?? 0;
      const matching = store
        .groups()
        .filter(
          (group) =>
            (prefix === undefined || group.logGroupName.startsWith(prefix)) &&
            (pattern === undefined || group.logGroupName.toLowerCase().includes(pattern.toLowerCase())),
        );
      const page = matching.slice(offset, offset + limit);
      return {
        logGroups: page.map((group) => ({
          logGroupName: group.logGroupName,
          creationTime: group.creationTime,
          metricFilterCount: 0,
          arn: `${groupArn(context, group.logGroupName)}:*`,
          logGroupArn: groupArn(context, group.logGroupName),
          storedBytes: 0,
          logGroupClass: 'STANDARD',
        })),
        ...(offset + limit < matching.length ? { nextToken: `g/${offset + limit}` } : {}),
      };
    },

    DescribeLogStreams(input, context) {
      const group = targetGroup(store, input);
      const prefix = optionalString(input, 'logStreamNamePrefix');
      const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        throw invalid('orderBy must be LogStreamName or LastEventTime.');
      }
      if (orderBy === 'LastEventTime' && prefix !== undefined) {
        throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const descending = optionalBoolean(input, 'descending') ?? false;
      const limit = optionalNumber(input, 'limit', 1, 50) ?? 50;
      const offset = offsetToken(optionalString(input, 'nextToken'), 's') ?? 0;
      const lastEvent = (events: LogEvent[]) => events[events.length - 1]?.timestamp ?? 0;
      const streams = [...group.streams.values()]
        .filter((stream) => prefix === undefined || stream.logStreamName.startsWith(prefix))
        .sort((a, b) =>
          orderBy === 'LastEventTime'
            ? lastEvent(a.events) - lastEvent(b.events)
            : a.logStreamName < b.logStreamName
              ? -1
              : 1,
        );
      if (descending) streams.reverse();
      const page = streams.slice(offset, offset + limit);
      return {
        logStreams: page.map((stream) => ({
          logStreamName: stream.logStreamName,
          creationTime: stream.creationTime,
          ...(stream.events.length > 0
            ? {
                firstEventTimestamp: stream.events[0]!.timestamp,
                lastEventTimestamp: lastEvent(stream.events),
                lastIngestionTime: stream.events[stream.events.length - 1]!.ingestionTime,
              }
            : {}),
          arn: `${groupArn(context, group.logGroupName)}:log-stream:${stream.logStreamName}`,
          storedBytes: 0,
        })),
        ...(offset + limit < streams.length ? { nextToken: `s/${offset + limit}` } : {}),
      };
    },

    GetLogEvents(input) {
      const group = targetGroup(store, input);
      const streamName = optionalString(input, 'logStreamName');
      if (streamName === undefined) throw invalid('logStreamName is required.');
      const stream = group.streams.get(streamName);
      if (!stream)
        throw new AwsApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
      const startTime = optionalNumber(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
      const endTime = optionalNumber(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
      const limit = optionalNumber(input, 'limit', 1, 10_000) ?? 10_000;
      const startFromHead = optionalBoolean(input, 'startFromHead') ?? false;
      const token = optionalString(input, 'nextToken');
      const events = stream.events.filter(
        (event) =>
          (startTime === undefined || event.timestamp >= startTime) &&
          (endTime === undefined || event.timestamp < endTime),
      );
      // Tokens are positions: f/<n> reads forward from n, b/<n> reads backward up to n.
      let from: number;
      let to: number;
      if (token?.startsWith('b/')) {
        to = offsetToken(token, 'b') ?? 0;
        from = Math.max(0, to - limit);
      } else if (token !== undefined) {
        from = offsetToken(token, 'f') ?? 0;
        to = Math.min(events.length, from + limit);
      } else if (startFromHead) {
        from = 0;
        to = Math.min(events.length, limit);
      } else {
        to = events.length;
        from = Math.max(0, to - limit);
      }
      return {
        events: events
          .slice(from, to)
          .map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
        // At the end, the forward token is the one given, which is how readers know to stop.
        nextForwardToken: `f/${to}`,
        nextBackwardToken: `b/${from}`,
      };
    },

    FilterLogEvents(input) {
      const group = targetGroup(store, input);
      const names = input.logStreamNames;
      if (names !== undefined && (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))) {
        throw invalid('logStreamNames must be a list of strings.');
      }
      const prefix = optionalString(input, 'logStreamNamePrefix');
      if (names !== undefined && prefix !== undefined) {
        throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive.');
      }
      const startTime = optionalNumber(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
      const endTime = optionalNumber(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
      const limit = optionalNumber(input, 'limit', 1, 10_000) ?? 10_000;
      const matches = termMatcher(optionalString(input, 'filterPattern'));
      const offset = offsetToken(optionalString(input, 'nextToken'), 'e') ?? 0;
      const events = [...group.streams.values()]
        .filter(
          (stream) =>
            (names === undefined || (names as string[]).includes(stream.logStreamName)) &&
            (prefix === undefined || stream.logStreamName.startsWith(prefix)),
        )
        .flatMap((stream) =>
          stream.events.map((event, index) => ({ stream: stream.logStreamName, index, event })),
        )
        .filter(
          ({ event }) =>
            (startTime === undefined || event.timestamp >= startTime) &&
            (endTime === undefined || event.timestamp <= endTime) &&
            matches(event.message),
        )
        .sort(
          (a, b) => a.event.timestamp - b.event.timestamp || a.event.ingestionTime - b.event.ingestionTime,
        );
      const page = events.slice(offset, offset + limit);
      return {
        events: page.map(({ stream, index, event }) => ({
          logStreamName: stream,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: `${event.timestamp}${String(index).padStart(20, '0')}`,
        })),
        searchedLogStreams: [],
        ...(offset + limit < events.length ? { nextToken: `e/${offset + limit}` } : {}),
      };
    },

    DeleteLogGroup(input) {
      const name = optionalString(input, 'logGroupName');
      if (name === undefined) throw invalid('logGroupName is required.');
      if (!store.deleteGroup(name)) {
        throw new AwsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
      }
      logger.info('logs: DeleteLogGroup', { logGroupName: name });
      return {};
    },
  };

  return {
    protocol: 'awsJson1_1',
    serviceName: 'logs',
    targetPrefix: 'Logs_20140328',
    store,
    async handle(operation, input, context) {
      const handler = operations[operation];
      if (!handler) {
        throw new AwsApiError(
          'UnknownOperationException',
          `The local CloudWatch Logs does not implement ${operation}. Implemented: ${Object.keys(operations).join(', ')}.`,
        );
      }
      return handler(input, context);
    },
  };
}

/** CloudWatch Logs' data: log groups holding log streams holding events, in the order they arrived. */

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export interface LogStream {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly events: LogEvent[];
}

export interface LogGroup {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly streams: Map<string, LogStream>;
}

/** Events kept per stream (oldest dropped first), so a long-running endpoint's memory stays bounded. */
const MAX_EVENTS_PER_STREAM = 10_000;
/** CloudWatch Logs' limit on one event's message (256 KiB, less the 26-byte overhead). */
const MAX_MESSAGE_BYTES = 262_118;

export interface LogStore {
  /** Appends events to a stream, creating the group and the stream when they do not exist yet. */
  append(
    groupName: string,
    streamName: string,
    events: ReadonlyArray<{ timestamp: number; message: string }>,
  ): void;
  group(name: string): LogGroup | undefined;
  groups(): LogGroup[];
  deleteGroup(name: string): boolean;
}

export function createLogStore(): LogStore {
  const groups = new Map<string, LogGroup>();
  return {
    append(groupName, streamName, events) {
      const now = Date.now();
      let group = groups.get(groupName);
      if (!group) {
        group = { logGroupName: groupName, creationTime: now, streams: new Map() };
        groups.set(groupName, group);
      }
      let stream = group.streams.get(streamName);
      if (!stream) {
        stream = { logStreamName: streamName, creationTime: now, events: [] };
        group.streams.set(streamName, stream);
      }
      for (const event of events) {
        const message = Buffer.from(event.message).subarray(0, MAX_MESSAGE_BYTES).toString('utf8');
        stream.events.push({ timestamp: event.timestamp, message, ingestionTime: now });
      }
      if (stream.events.length > MAX_EVENTS_PER_STREAM) {
        stream.events.splice(0, stream.events.length - MAX_EVENTS_PER_STREAM);
      }
    },
    group: (name) => groups.get(name),
    groups: () => [...groups.values()].sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1)),
    deleteGroup: (name) => groups.delete(name),
  };
}

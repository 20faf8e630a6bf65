/**
 * Hooks into `net.Socket` inside the function process: every client connection is followed from its first
 * write (HTTP, RESP or PostgreSQL), each complete request is numbered by the call counter before a byte of
 * it leaves, and each complete reply before the client sees it. At the planned point the process is
 * killed, the connection reset, or the call held.
 */
import net from 'node:net';
import type { CrashPoint } from '../plan.js';
import type { ProtocolReaders } from '../wire/call.js';
import { detectProtocol } from '../wire/detect.js';
import type { CallCounter, TrackedCall } from './call-counter.js';
import type { InterceptorControl } from './control.js';

type WriteCallback = (error?: Error | null) => void;
interface HeldWrite {
  chunk: Buffer;
  callback: WriteCallback | undefined;
}

const TRACKER = Symbol('rotor.crash.tracker');
const INSTALLED = Symbol.for('rotor.crash.hooks-installed');
type TrackedSocket = net.Socket & { [TRACKER]?: ConnectionTracker };

function connectionReset(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('read ECONNRESET');
  error.code = 'ECONNRESET';
  error.errno = -104;
  error.syscall = 'read';
  return error;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

interface Originals {
  write: (this: net.Socket, chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
  push: (this: net.Socket, chunk: unknown, encoding?: unknown) => boolean;
}

class ConnectionTracker {
  #readers: ProtocolReaders | undefined;
  #untracked = false;
  #held: HeldWrite[] = [];
  #awaiting: TrackedCall[] = [];
  /** Set once the connection was broken or frozen on purpose: nothing more moves through the hooks. */
  #frozen = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly counter: CallCounter,
    private readonly control: InterceptorControl,
    private readonly originals: Originals,
  ) {}

  write(chunk: Buffer, callback: WriteCallback | undefined): boolean {
    if (this.#frozen) return true;
    if (!this.#readers && !this.#untracked) {
      this.#readers = detectProtocol(chunk, () => this.counter.rotatedSecretId);
      this.#untracked = this.#readers === undefined;
    }
    if (!this.#readers) return this.originals.write.call(this.socket, chunk, callback);
    this.#held.push({ chunk, callback });
    const requests = this.#readers.requests.feed(chunk);
    let act: CrashPoint | undefined;
    for (const request of requests) {
      const decided = this.counter.request(request);
      if (decided.call) this.#awaiting.push(decided.call);
      act ??= decided.act;
    }
    if (act) {
      this.#act(act, () => this.#flush());
      return true;
    }
    if (!this.#readers.requests.partial) this.#flush();
    return true;
  }

  push(chunk: Buffer | null, encoding: unknown): boolean {
    if (this.#frozen) return true;
    if (chunk === null || !this.#readers) return this.originals.push.call(this.socket, chunk, encoding);
    let act: CrashPoint | undefined;
    const completed = this.#readers.replies.feed(chunk);
    for (let i = 0; i < completed; i++) {
      const call = this.#awaiting.shift();
      if (call) act ??= this.counter.reply(call);
    }
    if (act) {
      this.#act(act, () => this.originals.push.call(this.socket, chunk, encoding));
      return true;
    }
    return this.originals.push.call(this.socket, chunk, encoding);
  }

  #flush(): void {
    const held = this.#held;
    this.#held = [];
    for (const { chunk, callback } of held) this.originals.write.call(this.socket, chunk, callback);
  }

  #act(point: CrashPoint, proceed: () => void): void {
    switch (point.action) {
      case 'kill':
        process.kill(process.pid, 'SIGKILL');
        return;
      case 'reset':
        this.#frozen = true;
        this.#held = [];
        // Not inside the client's own write or read: as if the peer's RST arrived a moment later.
        process.nextTick(() => this.socket.destroy(connectionReset()));
        return;
      case 'halt':
        // Held until the endpoint (and with it this process) is killed.
        this.#frozen = true;
        this.control.signal(point);
        return;
      case 'pause': {
        this.control.signal(point);
        const timer = setInterval(() => {
          if (!this.control.resumed()) return;
          clearInterval(timer);
          proceed();
        }, 10);
        return;
      }
    }
  }
}

/** Patches net.Socket so every connection the function opens is followed. Idempotent. */
export function installSocketHooks(counter: CallCounter, control: InterceptorControl): void {
  const proto = net.Socket.prototype as unknown as Record<symbol, unknown>;
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const originals: Originals = {
    write: net.Socket.prototype.write as Originals['write'],
    push: net.Socket.prototype.push as Originals['push'],
  };
  const originalConnect = net.Socket.prototype.connect;
  const originalEnd = net.Socket.prototype.end;

  net.Socket.prototype.connect = function (this: TrackedSocket, ...args: unknown[]) {
    if (!Object.hasOwn(this, TRACKER)) {
      Object.defineProperty(this, TRACKER, {
        value: new ConnectionTracker(this, counter, control, originals),
        enumerable: false,
      });
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  net.Socket.prototype.write = function (
    this: TrackedSocket,
    chunk: unknown,
    encoding?: unknown,
    callback?: unknown,
  ) {
    const tracker = Object.hasOwn(this, TRACKER) ? this[TRACKER] : undefined;
    if (!tracker) return originals.write.call(this, chunk, encoding, callback);
    const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
    return tracker.write(toBuffer(chunk, encoding), done);
  } as typeof net.Socket.prototype.write;

  net.Socket.prototype.push = function (this: TrackedSocket, chunk: unknown, encoding?: unknown) {
    const tracker = Object.hasOwn(this, TRACKER) ? this[TRACKER] : undefined;
    if (!tracker) return originals.push.call(this, chunk, encoding);
    return tracker.push(chunk === null ? null : toBuffer(chunk, encoding), encoding);
  } as typeof net.Socket.prototype.push;

  // end(data) writes through an internal path; send the data through write so it is followed too.
  net.Socket.prototype.end = function (this: TrackedSocket, ...args: unknown[]) {
    const [chunk] = args;
    if (
      chunk !== undefined &&
      chunk !== null &&
      typeof chunk !== 'function' &&
      Object.hasOwn(this, TRACKER)
    ) {
      const encoding = typeof args[1] === 'string' ? args[1] : undefined;
      this.write(chunk as Buffer, encoding as BufferEncoding);
      const callback = args.find((arg) => typeof arg === 'function');
      return (originalEnd as (...a: unknown[]) => net.Socket).call(this, callback);
    }
    return (originalEnd as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.end;
}

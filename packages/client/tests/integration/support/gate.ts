/**
 * Lets the test kill connections between commands: node-redis (unlike ioredis) rejects commands in
 * flight on ANY disconnect, whatever the credentials, so a kill in mid-command would measure that,
 * not login recovery. Commands sent right after the kill queue while the client reconnects: those
 * must not fail on a refused AUTH.
 */
export class Gate {
  private inFlight = 0;
  private closed: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  async run(work: () => Promise<void>): Promise<void> {
    while (this.closed) await this.closed;
    this.inFlight++;
    try {
      await work();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  /** Waits for commands in flight, runs `between` (the kill), then lets commands go again. */
  async between(action: () => Promise<void>): Promise<void> {
    let open!: () => void;
    this.closed = new Promise((resolve) => {
      open = resolve;
    });
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.idle = undefined;
    try {
      await action();
      // The kill reaches the client's socket at once on loopback; later commands queue for the reconnect.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      this.closed = undefined;
      open();
    }
  }
}

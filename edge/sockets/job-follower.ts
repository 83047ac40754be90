import { FrameSplitter } from "../streaming/wire";

export type FollowEnd = "ended" | "stopped" | "interrupted";

/**
 * Follows one job for one connection: reads the job's feed (length-prefixed MessagePack frames, replay then
 * live, ending after the terminal `job_update`) and hands each message's bytes to `deliver` in order.
 * Stopping it cancels the read, which makes the job drop this subscriber; the job itself runs on.
 */
export class JobFollower {
  private stopped = false;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(
    readonly jobId: string,
    /** Sends one message to the client; false when the socket is gone. */
    private readonly deliver: (msgpack: Uint8Array) => boolean,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the feed ended (the job finished), was stopped, or broke off. */
  async run(open: () => Promise<Response>): Promise<FollowEnd> {
    let body: ReadableStream<Uint8Array> | null;
    try {
      const response = await open();
      if (!response.ok) {
        console.error(`[socket] job ${this.jobId}: the event feed answered ${response.status}: ${await response.text()}`);
        return this.stopped ? "stopped" : "interrupted";
      }
      body = response.body;
    } catch (err) {
      console.error(`[socket] job ${this.jobId}: could not open the event feed`, err);
      return this.stopped ? "stopped" : "interrupted";
    }
    if (!body) return "ended";
    // Stopped while the feed was opening (a reconnect_job replaced this follower, or the socket closed).
    if (this.stopped) {
      await body.cancel().catch(() => {});
      return "stopped";
    }
    this.reader = body.getReader();
    const splitter = new FrameSplitter();
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) return this.stopped ? "stopped" : "ended";
        for (const frame of splitter.push(value)) {
          if (this.stopped) return "stopped";
          if (!this.deliver(frame)) {
            this.stop();
            return "stopped";
          }
        }
      }
    } catch (err) {
      if (this.stopped) return "stopped";
      console.error(`[socket] job ${this.jobId}: the event feed broke off`, err);
      return "interrupted";
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reader?.cancel().catch(() => {});
  }
}

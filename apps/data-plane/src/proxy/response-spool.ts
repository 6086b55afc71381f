import { close, mkdirSync, openSync, read, unlinkSync, write } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';

/** Bytes read back from the file per client write. */
const READ_BYTES = 64 * 1024;
/** Bytes queued for the file past which the upstream is paused (a disk slower than the upstream). */
const WRITE_QUEUE_BYTES = 1024 * 1024;
/** nginx's proxy_max_temp_file_size: past it the upstream waits for the client to read the file out. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

let sequence = 0;
const madeDirs = new Set<string>();

/**
 * The part of a buffered response (response_buffering) that a slow client lags behind by more
 * than the memory bound: appended to a temp file as it arrives from the upstream, read back in
 * order as the client drains, so the upstream is read at its own pace (nginx's proxy temp file).
 * The file is unlinked as soon as it is open: its descriptor keeps it until the response is done.
 * One writer and one reader at a time, at explicit positions.
 */
export class ResponseSpool {
  private fd: number;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  /** Bytes of the file written (readable), and where the next write goes. */
  private flushed = 0;
  private writing = false;
  private readPos = 0;
  private reading = false;
  private ended = false;
  private closed = false;
  private upstreamPaused = false;

  constructor(
    private readonly res: ServerResponse,
    dir: string,
    /** Resumes the upstream once the file has caught up. */
    private readonly resumeUpstream: () => void,
  ) {
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      madeDirs.add(dir);
    }
    const path = join(dir, `response-${process.pid}-${++sequence}`);
    this.fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
    res.on('drain', this.pump);
    res.once('close', this.release);
  }

  /** A chunk from the upstream; false asks the upstream to pause until resumeUpstream. */
  push(chunk: Buffer): boolean {
    if (this.closed) return true;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.writeNext();
    if (this.queued <= WRITE_QUEUE_BYTES && this.flushed + this.queued <= MAX_FILE_BYTES) return true;
    this.upstreamPaused = true;
    return false;
  }

  private maybeResumeUpstream(): void {
    if (!this.upstreamPaused || this.queued > WRITE_QUEUE_BYTES / 2 || this.flushed + this.queued > MAX_FILE_BYTES) return;
    this.upstreamPaused = false;
    this.resumeUpstream();
  }

  /** The upstream is done: end the client response once the file is read out. */
  end(): void {
    this.ended = true;
    this.pump();
  }

  private writeNext(): void {
    if (this.writing || this.closed || this.queue.length === 0) return;
    const chunk = this.queue.shift()!;
    this.writing = true;
    write(this.fd, chunk, 0, chunk.length, this.flushed, (error) => {
      this.writing = false;
      if (this.closed) return this.closeFile();
      if (error) return this.fail();
      this.flushed += chunk.length;
      this.queued -= chunk.length;
      this.maybeResumeUpstream();
      this.writeNext();
      this.pump();
    });
  }

  /** Sends what the file holds while the client takes it; ends the response when all is out. */
  private readonly pump = (): void => {
    if (this.reading || this.closed || this.res.writableNeedDrain) return;
    const available = this.flushed - this.readPos;
    if (available === 0) {
      if (this.writing || this.queue.length > 0) return;
      if (this.ended) {
        this.res.end();
        return this.release();
      }
      // Read out: the file starts over, so it never holds more than MAX_FILE_BYTES.
      this.flushed = this.readPos = 0;
      return this.maybeResumeUpstream();
    }
    this.reading = true;
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, available));
    read(this.fd, buffer, 0, buffer.length, this.readPos, (error, bytes) => {
      this.reading = false;
      if (this.closed) return this.closeFile();
      if (error || bytes === 0) return this.fail();
      this.readPos += bytes;
      if (this.res.write(bytes === buffer.length ? buffer : buffer.subarray(0, bytes))) this.pump();
    });
  };

  /** The file cannot be written or read: the client's response cannot be completed. */
  private fail(): void {
    this.res.destroy();
    this.release();
  }

  private readonly release = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.res.off('drain', this.pump);
    this.res.off('close', this.release);
    this.queue.length = 0;
    this.closeFile();
  };

  /** Only once no read or write is in flight: a descriptor closed under one could be reused by another file. */
  private closeFile(): void {
    if (this.writing || this.reading || this.fd === -1) return;
    close(this.fd, () => undefined);
    this.fd = -1;
  }
}

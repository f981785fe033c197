import type { Logger } from '../logger.js';

/** One ctx.log line as kept with the job. */
export interface JobLogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  data?: unknown;
}

const MAX_LINES = 100;
const MAX_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4 * 1024;

interface Pending {
  lines: JobLogLine[];
  bytes: number;
  progress?: unknown;
}

/**
 * ctx.log lines and ctx.progress values waiting to be written. They are written with
 * the status batcher's flushes and the heartbeat (sql/queries/job_logs_write.sql, one
 * statement for every job's lines), never one statement per line. Kept bounded here
 * as in the table: the newest 100 lines / 64 KiB per job, 4 KiB per line. Logs are
 * best effort: a write that fails is dropped with a warning and never holds up a finish.
 */
export class JobLogBuffer {
  private pending = new Map<string, Pending>();

  line(jobId: string, level: JobLogLine['level'], obj: object, msg: string | undefined): void {
    let data: unknown;
    try {
      data = Object.keys(obj).length > 0 ? JSON.parse(JSON.stringify(obj)) : undefined;
    } catch {
      data = undefined;
    }
    let line: JobLogLine = { at: new Date().toISOString(), level, msg: String(msg ?? ''), ...(data === undefined ? {} : { data }) };
    let bytes = Buffer.byteLength(JSON.stringify(line));
    if (bytes > MAX_LINE_BYTES) {
      line = { at: line.at, level, msg: `${line.msg.slice(0, 1024)} [line of ${bytes} bytes truncated]` };
      bytes = Buffer.byteLength(JSON.stringify(line));
    }
    const p = this.entry(jobId);
    p.lines.push(line);
    p.bytes += bytes;
    while (p.lines.length > MAX_LINES || p.bytes > MAX_BYTES) {
      const dropped = p.lines.shift() as JobLogLine;
      p.bytes -= Buffer.byteLength(JSON.stringify(dropped));
    }
  }

  progress(jobId: string, value: unknown): void {
    this.entry(jobId).progress = value === undefined ? null : value;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Everything pending as the JSON parameter of job_logs_write.sql, or null when nothing is. */
  drain(): string | null {
    if (this.pending.size === 0) return null;
    const rows = [...this.pending].map(([id, p]) => ({ i: id, l: p.lines, ...('progress' in p ? { p: p.progress } : {}) }));
    this.pending = new Map();
    return JSON.stringify(rows);
  }

  /** A logger that is `base` and also keeps each line for the job. */
  logger(jobId: string, base: Logger): Logger {
    const at =
      (level: JobLogLine['level']) =>
      (obj: object, msg?: string): void => {
        base[level](obj, msg);
        this.line(jobId, level, obj ?? {}, msg);
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => this.logger(jobId, base.child(b)) };
  }

  private entry(jobId: string): Pending {
    let p = this.pending.get(jobId);
    if (!p) {
      p = { lines: [], bytes: 0 };
      this.pending.set(jobId, p);
    }
    return p;
  }
}

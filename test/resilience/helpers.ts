/**
 * Set-up shared by the resilience tests: Rota instances that are always closed and a
 * logger that records instead of printing. Not a test file itself.
 */
import { afterAll } from 'vitest';
import { type Logger, Rota, type RotaOptions } from '../../src/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const make = (bindings: object): Logger & { lines: LogLine[] } => {
    const at =
      (level: LogLine['level']) =>
      (obj: object, msg = ''): void => {
        lines.push({ level, msg, obj: { ...bindings, ...obj } });
      };
    return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return make({});
}

const open = new Set<Rota>();
afterAll(async () => {
  await Promise.all([...open].map((r) => r.close().catch(() => {})));
});

/** A Rota with fast test defaults (short polls and breaker syncs), closed after the file. */
export function makeRota(url: string, opts: Partial<RotaOptions> = {}): Rota {
  const rota = new Rota({ connectionString: url, logger: recordingLogger(), pollIntervalMs: 50, breakerSyncMs: 50, ...opts });
  open.add(rota);
  return rota;
}

export async function closeRota(rota: Rota): Promise<void> {
  open.delete(rota);
  await rota.close();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

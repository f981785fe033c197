import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkerModule, WorkOptions } from '../options.js';
import type { Handler } from '../types.js';

/**
 * Loading and checking the module given to `rota worker --module`, so that a wrong
 * module fails at start with a sentence naming the queue, instead of waiting forever.
 */

export interface QueueToServe {
  queue: string;
  handler: Handler;
  options: WorkOptions;
}

const OPTION_KEYS = ['concurrency', 'retry', 'timeoutMs', 'breaker'] as const;

const FORMAT = 'expected `export default { queueName: handler }` (or `{ queueName: { handler, concurrency, timeoutMs, retry, breaker } }`)';

/** Imports the module; a .ts file without a TypeScript loader gets a hint instead of Node's error. */
export async function importWorkerModule(path: string): Promise<unknown> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    return await import(url);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (err as Error).message.includes(resolve(path)))
      throw new Error(`--module: no such file ${resolve(path)}`);
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(path))
      throw new Error(
        `--module: ${path} is TypeScript, which this Node cannot load by itself: run it with a loader, ` +
          `NODE_OPTIONS="--import tsx" rota worker --module ${path} (npm i -D tsx), or compile it to .js first`,
      );
    throw new Error(`--module: ${path} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The queues to serve: every entry of the default export, or those named by `only`
 * (each must have an entry). `concurrency` is the default for entries that set none.
 */
export function queuesToServe(path: string, mod: unknown, only: string[] | null, concurrency: number): QueueToServe[] {
  const exported = (mod as { default?: unknown } | null)?.default;
  if (exported === undefined) {
    const names = Object.keys((mod as object | null) ?? {});
    const found = names.length ? `it exports only ${names.join(', ')}` : 'it exports nothing';
    throw new Error(`--module: ${path} has no default export (${found}); ${FORMAT}`);
  }
  if (exported === null || typeof exported !== 'object' || Array.isArray(exported))
    throw new Error(`--module: the default export of ${path} is ${describe(exported)}; ${FORMAT}`);
  const entries = exported as WorkerModule;
  const queues = Object.keys(entries);
  if (queues.length === 0) throw new Error(`--module: the default export of ${path} has no queues; ${FORMAT}`);
  const selected = only ?? queues;
  for (const q of selected) {
    if (!(q in entries))
      throw new Error(
        `--queues: ${JSON.stringify(q)} has no handler in ${path} (it has ${queues.map((n) => JSON.stringify(n)).join(', ')})`,
      );
  }
  return selected.map((queue) => entry(path, queue, entries[queue], concurrency));
}

function entry(path: string, queue: string, value: unknown, concurrency: number): QueueToServe {
  if (typeof value === 'function') return { queue, handler: value as Handler, options: { concurrency } };
  if (value === null || typeof value !== 'object' || typeof (value as { handler?: unknown }).handler !== 'function')
    throw new Error(
      `--module: queue ${JSON.stringify(queue)} in ${path} is ${describe(value)}, not a handler function or { handler, ... }`,
    );
  const { handler, ...rest } = value as { handler: Handler } & Record<string, unknown>;
  const unknown = Object.keys(rest).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(
      `--module: queue ${JSON.stringify(queue)} in ${path} has unknown option ${unknown.join(', ')} (expected ${OPTION_KEYS.join(', ')})`,
    );
  return { queue, handler, options: { concurrency, ...(rest as WorkOptions) } };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

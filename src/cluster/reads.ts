import { isConnectionError } from '../errors.js';
import type { JobState } from '../types.js';

/** A group (or, with group null, the coordinator's `<prefix>_cluster` schema) a read could not reach. */
export interface UnreachableGroup {
  group: number | null;
  server: string;
  /** The error's message. */
  error: string;
  /** The server did not answer (refused, dropped, timed out), rather than answered with an error. */
  connection: boolean;
}

/**
 * A merged read (`counts()`, `schedules()`, queue `info()`) reached some groups and not
 * others. `result` is what the reachable groups have, merged as usual; `unreachable`
 * lists the others and their servers. Thrown only when at least one group answered:
 * when none did, the first error is thrown as it is.
 */
export class PartialReadError<T> extends Error {
  override readonly name = 'PartialReadError';
  constructor(
    readonly what: string,
    readonly result: T,
    readonly unreachable: UnreachableGroup[],
    readonly causes: unknown[],
  ) {
    const groups = unreachable.map((u) => (u.group === null ? 'coordinator' : `g${u.group}`)).join(', ');
    super(
      `${what}: ${unreachable.length} part(s) unreachable (${groups}; server(s) ${serversOf(unreachable).join(', ')}); the result holds the others`,
    );
  }

  /** The servers of the unreachable groups. */
  get servers(): string[] {
    return serversOf(this.unreachable);
  }
}

/** The servers of `unreachable`, each once, sorted. */
function serversOf(unreachable: UnreachableGroup[]): string[] {
  return [...new Set(unreachable.map((u) => u.server))].sort();
}

/** One part of a merged read: a group, or the coordinator (group null). */
export interface ReadPart<R> {
  group: number | null;
  server: string;
  read: () => Promise<R>;
}

/**
 * Reads every part at once and merges what answered. All answered: the merged result.
 * Some did not: PartialReadError with the merge of the others. None did: the first error.
 */
export async function readParts<R, T>(
  what: string,
  parts: ReadPart<R>[],
  merge: (got: Array<{ group: number | null; value: R }>) => T,
): Promise<T> {
  const settled = await Promise.allSettled(parts.map((p) => p.read()));
  const got: Array<{ group: number | null; value: R }> = [];
  const unreachable: UnreachableGroup[] = [];
  const causes: unknown[] = [];
  settled.forEach((s, i) => {
    const p = parts[i] as ReadPart<R>;
    if (s.status === 'fulfilled') got.push({ group: p.group, value: s.value });
    else {
      causes.push(s.reason);
      unreachable.push({
        group: p.group,
        server: p.server,
        error: String((s.reason as Error)?.message ?? s.reason),
        connection: isConnectionError(s.reason),
      });
    }
  });
  if (unreachable.length === 0) return merge(got);
  if (got.length === 0) throw causes[0];
  throw new PartialReadError(what, merge(got), unreachable, causes);
}

/** Counts of several groups summed per (queue, state), sorted. */
export function sumCounts(
  all: Array<Array<{ queue: string; state: JobState; count: number }>>,
): Array<{ queue: string; state: JobState; count: number }> {
  const sum = new Map<string, { queue: string; state: JobState; count: number }>();
  for (const rows of all)
    for (const r of rows) {
      const key = `${r.queue}\x1f${r.state}`;
      const s = sum.get(key);
      if (s) s.count += r.count;
      else sum.set(key, { ...r });
    }
  return [...sum.values()].sort((a, b) => (a.queue === b.queue ? a.state.localeCompare(b.state) : a.queue.localeCompare(b.queue)));
}

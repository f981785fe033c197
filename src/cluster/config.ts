import { positiveInt } from '../client/validate.js';
import { validateSchema } from '../db/sql.js';
import { ValidationError } from '../errors.js';
import type { RotaOptions } from '../options.js';
import { groupSchema, MAX_GROUPS } from './hash.js';

/** One PostgreSQL server of a cluster. */
export interface ClusterServer {
  /** postgres:// URL of the database holding this server's groups. */
  connectionString: string;
  /**
   * Connections of the process's pool on this server, shared by every group placed on
   * it (claims, status writes, enqueues). Default 4. Workers add one LISTEN connection.
   */
  poolSize?: number;
}

/** Options of every group's Rota, minus what the cluster decides (pool, schema, worker id). */
export type ClusterRotaOptions = Omit<RotaOptions, 'connectionString' | 'pool' | 'poolSize' | 'schema' | 'workerId' | 'logger'>;

export interface ClusterOptions {
  /** The servers by name (names are what placement refers to). */
  servers: Record<string, ClusterServer>;
  /** Number of tenant groups, fixed when the cluster is created (1 to 32,766; e.g. 64). */
  groups: number;
  /**
   * Group → server name, used to seed the stored placement on the first migrate(); after
   * that the stored placement (which moves update) wins. Default: round robin over the servers in declaration order (group g on server g mod n). */
  placement?: readonly string[];
  /** Group schemas are `<schemaPrefix>_g000`, `<schemaPrefix>_g001`, ... Default 'rota'. */
  schemaPrefix?: string;
  /** Server holding the cluster's own small schema (`<schemaPrefix>_cluster`: queue-wide limits). Default: the first server. */
  coordinator?: string;
  /**
   * A single-server rota schema that existed before the cluster: its job ids (below 2^48)
   * stay valid for getJob / cancel, and `work()` drains its jobs too. New jobs never go there.
   */
  legacy?: { server: string; schema: string };
  /** Groups migrated at once by `migrate()`. Default 4. */
  migrateConcurrency?: number;
  /** Queue-wide limits are re-split by demand this often while this process works. Default 1,000 ms; 0 disables. */
  rebalanceMs?: number;
  /** While this process works, the stored placement is re-read this often, so it follows moves made elsewhere. Default 5,000 ms; 0 disables. */
  placementRefreshMs?: number;
  /**
   * Workers of all groups as one (default true): `concurrency` is handlers per process
   * across the groups, claims of a server's groups taken in turn, status writes of a
   * server's groups committed together, idle groups polled every 5 s (docs/cluster.md).
   * false: the earlier design, an independent runtime per group and `concurrency` per group.
   */
  sharedRuntime?: boolean;
  workerId?: string;
  logger?: RotaOptions['logger'];
  /** Passed to every group's Rota (lease, batching, retention...). */
  rota?: ClusterRotaOptions;
}

export interface ResolvedCluster {
  servers: Map<string, Required<ClusterServer>>;
  groups: number;
  placement: string[];
  schemaPrefix: string;
  coordinator: string;
  legacy: { server: string; schema: string } | null;
  migrateConcurrency: number;
  rebalanceMs: number;
  placementRefreshMs: number;
  sharedRuntime: boolean;
}

const SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates cluster options; every error names the field at fault and nothing is opened. */
export function resolveCluster(o: ClusterOptions): ResolvedCluster {
  if (!o || typeof o !== 'object') throw new ValidationError('options', 'must be an object');
  if (!o.servers || typeof o.servers !== 'object' || Array.isArray(o.servers))
    throw new ValidationError('servers', 'must be an object mapping server names to { connectionString }');
  const servers = new Map<string, Required<ClusterServer>>();
  for (const [name, s] of Object.entries(o.servers)) {
    if (!SERVER_NAME.test(name)) throw new ValidationError(`servers.${name}`, `server names must match ${SERVER_NAME}`);
    if (!s || typeof s.connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(s.connectionString))
      throw new ValidationError(`servers.${name}.connectionString`, 'must be a postgres:// URL');
    const poolSize = positiveInt(`servers.${name}.poolSize`, s.poolSize ?? 4, { max: 1000 });
    servers.set(name, { connectionString: s.connectionString, poolSize });
  }
  if (servers.size === 0) throw new ValidationError('servers', 'must name at least one server');
  const groups = positiveInt('groups', o.groups, { max: MAX_GROUPS });
  const names = [...servers.keys()];
  let placement: string[];
  if (o.placement === undefined) placement = Array.from({ length: groups }, (_, g) => names[g % names.length] as string);
  else {
    if (!Array.isArray(o.placement) || o.placement.length !== groups)
      throw new ValidationError('placement', `must be an array of ${groups} server names (one per group)`);
    placement = o.placement.map((s, g) => {
      if (!servers.has(s))
        throw new ValidationError(`placement[${g}]`, `names no server (got ${JSON.stringify(s)}; servers: ${names.join(', ')})`);
      return s;
    });
  }
  const schemaPrefix = o.schemaPrefix ?? 'rota';
  // PostgreSQL reserves schema names starting with pg_ (`pg` would make `pg_cluster`).
  if (typeof schemaPrefix === 'string' && /^pg(_|$)/.test(schemaPrefix))
    throw new ValidationError('schemaPrefix', `must not make schema names starting with pg_ (got ${JSON.stringify(schemaPrefix)})`);
  try {
    validateSchema(groupSchema(schemaPrefix, groups - 1));
    validateSchema(`${schemaPrefix}_cluster`);
  } catch {
    throw new ValidationError('schemaPrefix', `must be a short lower-case identifier (got ${JSON.stringify(schemaPrefix)})`);
  }
  const coordinator = o.coordinator ?? (names[0] as string);
  if (!servers.has(coordinator)) throw new ValidationError('coordinator', `names no server (got ${JSON.stringify(coordinator)})`);
  let legacy: ResolvedCluster['legacy'] = null;
  if (o.legacy !== undefined) {
    if (!o.legacy || !servers.has(o.legacy.server))
      throw new ValidationError('legacy.server', `names no server (got ${JSON.stringify(o.legacy?.server)})`);
    try {
      validateSchema(o.legacy.schema);
    } catch {
      throw new ValidationError('legacy.schema', `must be a schema name (got ${JSON.stringify(o.legacy.schema)})`);
    }
    legacy = { server: o.legacy.server, schema: o.legacy.schema };
  }
  const migrateConcurrency = positiveInt('migrateConcurrency', o.migrateConcurrency ?? 4, { max: 256 });
  const rebalanceMs = o.rebalanceMs ?? 1_000;
  if (rebalanceMs !== 0) positiveInt('rebalanceMs', rebalanceMs, { min: 50 });
  const placementRefreshMs = o.placementRefreshMs ?? 5_000;
  if (placementRefreshMs !== 0) positiveInt('placementRefreshMs', placementRefreshMs, { min: 50 });
  if (o.sharedRuntime !== undefined && typeof o.sharedRuntime !== 'boolean')
    throw new ValidationError('sharedRuntime', `must be true or false (got ${JSON.stringify(o.sharedRuntime)})`);
  const sharedRuntime = o.sharedRuntime ?? true;
  return {
    servers,
    groups,
    placement,
    schemaPrefix,
    coordinator,
    legacy,
    migrateConcurrency,
    rebalanceMs,
    placementRefreshMs,
    sharedRuntime,
  };
}

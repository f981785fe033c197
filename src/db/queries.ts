import { loadQuery } from './sql.js';

/** The statements a Rota and its worker runtime run, loaded once for its schema. */
export type CoreQueries = ReturnType<typeof loadCoreQueries>;

export function loadCoreQueries(schema: string) {
  const q = (name: string) => loadQuery(name, schema);
  return {
    enqueue: q('enqueue'),
    findDedup: q('find_dedup'),
    claim: q('claim'),
    finishBatch: q('finish_batch'),
    heartbeat: q('heartbeat'),
    rescue: q('rescue'),
    absentWorkers: q('absent_workers'),
    rescueOrphans: q('rescue_orphans'),
    getJob: q('get_job'),
    cancel: q('cancel'),
    queueCounts: q('queue_counts'),
    jobLogs: q('job_logs_write'),
    workers: q('admin/workers'),
  };
}

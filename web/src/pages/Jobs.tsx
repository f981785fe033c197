import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queries } from '../api/queries';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCan, useMe } from '../lib/auth';
import { fmtAgo, fmtTime } from '../lib/format';
import { navigate, useSearchState } from '../lib/router';
import { BulkActions } from './jobs/BulkActions';
import { EnqueueDialog } from './jobs/EnqueueDialog';
import { JobFilters } from './jobs/Filters';
import { filterFromUrl } from './jobs/filter';

function FindById() {
  const [id, setId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (id.trim()) navigate(`#/jobs/${encodeURIComponent(id.trim())}`);
  };
  return (
    <form className="actions" onSubmit={submit} aria-label="Find a job by id">
      <label htmlFor="find-id" className="sr-only">
        Job id
      </label>
      <input id="find-id" placeholder="job id" inputMode="numeric" value={id} onChange={(e) => setId(e.target.value)} />
      <button type="submit" className="btn">
        Open
      </button>
    </form>
  );
}

export function JobsPage() {
  const me = useMe();
  const canWrite = useCan('operator');
  const [params, setParams] = useSearchState();
  const { filter, errors } = filterFromUrl(params);
  const valid = Object.keys(errors).length === 0;
  const filterKey = JSON.stringify(filter);
  const pages = useCursorPages(filterKey);
  const [enqueueing, setEnqueueing] = useState(false);

  const q = useQuery({ ...queries.jobs(filter, pages.cursor), enabled: valid });

  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">Jobs</h1>
        <FindById />
        {canWrite && (
          <button type="button" className="btn primary" onClick={() => setEnqueueing(true)}>
            Enqueue a job…
          </button>
        )}
      </div>
      <JobFilters params={params} errors={errors} onApply={setParams} hideTenant={me.tenant !== null} />
      {canWrite && valid && <BulkActions filter={filter} />}
      {valid ? (
        <Loaded query={q} label="Loading jobs">
          {(page) => (
            <>
              {page.items.length === 0 ? (
                <Empty>{page.nextCursor ? 'No match in the rows searched so far: try the next page.' : 'No job matches.'}</Empty>
              ) : (
                <div style={{ marginTop: '0.75rem' }}>
                  <TableWrap label="Jobs matching the filter">
                    <table>
                      <caption className="sr-only">Jobs matching the filter</caption>
                      <thead>
                        <tr>
                          <th scope="col">Id</th>
                          <th scope="col">Queue</th>
                          {me.tenant === null && <th scope="col">Tenant</th>}
                          <th scope="col">State</th>
                          <th scope="col">Priority</th>
                          <th scope="col" className="num">
                            Attempt
                          </th>
                          <th scope="col">Created</th>
                          <th scope="col">Run at / finished</th>
                        </tr>
                      </thead>
                      <tbody>
                        {page.items.map((j) => (
                          <tr key={j.id} data-job={j.id}>
                            <td>
                              <a href={`#/jobs/${encodeURIComponent(j.id)}`}>{j.id}</a>
                            </td>
                            <td>{j.queue}</td>
                            {me.tenant === null && <td>{j.tenant}</td>}
                            <td>
                              <span className={`badge ${j.state}`}>{j.state}</span>
                            </td>
                            <td>{j.priority}</td>
                            <td className="num">
                              {j.attempt}/{j.maxAttempts}
                            </td>
                            <td title={fmtTime(j.createdAt)}>{fmtAgo(j.createdAt)}</td>
                            <td title={fmtTime(j.finishedAt ?? j.runAt)}>{fmtAgo(j.finishedAt ?? j.runAt)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </TableWrap>
                </div>
              )}
              <Pager pages={pages} nextCursor={page.nextCursor} busy={q.isFetching} />
            </>
          )}
        </Loaded>
      ) : (
        <p className="field-error">Fix the filter above to see jobs.</p>
      )}
      {enqueueing && <EnqueueDialog onClose={() => setEnqueueing(false)} queue={filter.queue} />}
    </section>
  );
}

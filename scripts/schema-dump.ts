// Regenerates sql/schema.sql from the migrations: `npm run schema:dump`.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrator.js';
import { dumpSchema } from '../src/db/schema-dump.js';

const server = await startEmbeddedPostgres();
try {
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  await migrate(pool, 'rota');
  writeFileSync(new URL('../sql/schema.sql', import.meta.url), await dumpSchema(pool, 'rota'));
  await pool.end();
  console.log('wrote sql/schema.sql');
} finally {
  await server.destroy();
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrator.js';
import { dumpSchema } from '../src/db/schema-dump.js';
import { freshDatabase } from './support/db.js';

const db = await freshDatabase();

describe('schema dump', () => {
  it('sql/schema.sql matches what the migrations build (run `npm run schema:dump` after adding a migration)', async () => {
    await migrate(db.sql, 'rota');
    const expected = readFileSync(new URL('../sql/schema.sql', import.meta.url), 'utf8');
    expect(await dumpSchema(db.sql, 'rota')).toBe(expected);
  });
});

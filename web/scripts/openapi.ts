// The dashboard's typed client comes from the server's own OpenAPI document. This module
// dumps the document from buildServer() without listening or touching a database, and
// turns it into TypeScript with openapi-typescript. `npm run web:types` writes the result
// to web/src/api/schema.gen.ts; test/e2e/api-types.test.ts fails when they disagree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { Rota } from '../../src/index.js';
import { buildServer } from '../../src/server/app.js';

export const GENERATED_FILE = fileURLToPath(new URL('../src/api/schema.gen.ts', import.meta.url));

const HEADER = "// Generated from the server's OpenAPI document by `npm run web:types`. Do not edit.\n\n";

/** The OpenAPI document the server publishes at /openapi.json (no listening, no queries). */
export async function serverDocument(): Promise<Record<string, unknown>> {
  // The pool connects lazily and nothing here queries it, so no database is needed.
  const rota = new Rota({ connectionString: 'postgres://openapi@127.0.0.1:1/none' });
  try {
    const app = await buildServer({ rota, webRoot: null });
    await app.ready();
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return doc;
  } finally {
    await rota.close();
  }
}

/** The TypeScript source openapi-typescript makes of the document. */
export async function generateTypes(doc: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(doc as never, { alphabetize: true });
  return HEADER + astToString(ast);
}

export function checkedInTypes(): string {
  return readFileSync(GENERATED_FILE, 'utf8');
}

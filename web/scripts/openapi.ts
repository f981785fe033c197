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

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * fastify-type-provider-zod puts recursive schemas (z.json(): any JSON value) under
 * components.schemas.__shared.$defs and points at them as `#/components/schemas/schema0`
 * or `#/components/schemas/__shared#/$defs/schema0`, neither of which resolves, so
 * openapi-typescript refuses the document. A recursive alias would not compile as a
 * TypeScript interface member either, so each such reference becomes `{}` (unknown):
 * the dashboard only displays JSON values, it never reads into them.
 */
export function normaliseDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc)) as { components?: { schemas?: Record<string, Json> } } & Record<string, Json>;
  const schemas = copy.components?.schemas;
  const shared = schemas?.__shared as { $defs?: Record<string, Json> } | undefined;
  if (!schemas || !shared?.$defs) return copy;
  const names = new Set(Object.keys(shared.$defs));
  delete schemas.__shared;
  const dangling = (ref: string) => {
    const name = ref.replace('#/components/schemas/__shared#/$defs/', '').replace('#/components/schemas/', '');
    return names.has(name) && !(name in schemas);
  };
  const fix = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(fix);
    if (v === null || typeof v !== 'object') return v;
    if (typeof v.$ref === 'string' && dangling(v.$ref)) return { description: 'any JSON value' };
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = fix(x);
    return out;
  };
  return fix(copy as Json) as Record<string, unknown>;
}

/** The TypeScript source openapi-typescript makes of the document. */
export async function generateTypes(doc: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(normaliseDocument(doc) as never, { alphabetize: true });
  return HEADER + astToString(ast);
}

export function checkedInTypes(): string {
  return readFileSync(GENERATED_FILE, 'utf8');
}

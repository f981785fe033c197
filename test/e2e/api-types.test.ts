import { expect, test } from 'vitest';
import { checkedInTypes, generateTypes, serverDocument } from '../../web/scripts/openapi.js';

// The dashboard's client is typed by web/src/api/schema.gen.ts. When a route's schema
// changes and nobody regenerates it, the dashboard would compile against an API that no
// longer exists: this fails first.
test('the dashboard client types match the server OpenAPI document (else: npm run web:types)', async () => {
  const fresh = await generateTypes(await serverDocument());
  const stale = checkedInTypes() !== fresh;
  expect(stale, 'web/src/api/schema.gen.ts differs from the server document: run `npm run web:types`').toBe(false);
});

import { z } from 'zod';
import { ErrorReply } from '../errors.js';
import type { RouteDeps, ZodApp } from '../types.js';

export const Me = z
  .object({
    name: z.string(),
    role: z.enum(['admin', 'operator', 'viewer']),
    tenant: z.string().nullable().describe('set for a tenant-scoped token: it sees only this tenant'),
  })
  .meta({ id: 'Me' });

export async function meRoutes(app: ZodApp, _deps: RouteDeps): Promise<void> {
  app.get(
    '/api/me',
    {
      config: { access: 'viewer', tenantAware: true },
      schema: {
        tags: ['auth'],
        summary: 'Who the presented token is',
        response: { 200: Me, 401: ErrorReply },
      },
    },
    async (request) => request.auth,
  );
}

import type { Command } from 'commander';
import { ROLES, type Role } from '../../admin/tokens.js';
import { withRota } from '../context.js';
import { int } from '../flags.js';

function role(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new Error(`--role: must be one of ${ROLES.join(', ')} (got ${v})`);
  return v as Role;
}

function duration(v: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(v);
  if (!m) throw new Error(`--expires: a duration like 30d, 12h, 90m (got ${v})`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens of the management server (stored hashed)');

  token
    .command('create <name>')
    .description('create a token; its secret is printed once')
    .option('--role <role>', 'admin | operator | viewer', role, 'viewer' as Role)
    .option('--tenant <tenant>', 'scope the token to one tenant')
    .option('--expires <duration>', 'expire after e.g. 30d, 12h', duration)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { role: Role; tenant?: string; expires?: number; json?: boolean }) => {
      await withRota(async (rota) => {
        await rota.migrate();
        const { token: t, secret } = await rota.tokens.create({ name, role: o.role, tenant: o.tenant, expiresInMs: o.expires });
        if (o.json) return console.log(JSON.stringify({ ...t, secret }));
        console.log(`token ${t.name} (id ${t.id}, ${t.role}${t.tenant ? `, tenant ${t.tenant}` : ''})`);
        console.log(`secret (shown once): ${secret}`);
      });
    });

  token
    .command('list')
    .description('tokens (never their secrets)')
    .option('--all', 'include revoked tokens')
    .option('--limit <n>', 'tokens per page (1..500)', int('--limit', { min: 1 }), 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON ({ items, nextCursor })')
    .action(async (o: { all?: boolean; limit: number; cursor?: string; json?: boolean }) => {
      await withRota(async (rota) => {
        const page = await rota.tokens.page({ includeRevoked: o.all, limit: o.limit, cursor: o.cursor });
        if (o.json) return console.log(JSON.stringify(page, null, 2));
        for (const t of page.items)
          console.log(
            [
              t.id,
              t.name,
              t.role,
              t.tenant ?? '-',
              t.expiresAt?.toISOString() ?? 'never',
              t.lastUsedAt?.toISOString() ?? 'unused',
              t.revokedAt ? 'revoked' : 'live',
            ].join('\t'),
          );
        if (page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      });
    });

  token
    .command('revoke <idOrName>')
    .description('revoke a token (by id or name)')
    .action(async (idOrName: string) => {
      await withRota(async (rota) => {
        const t = await rota.tokens.revoke(idOrName);
        if (!t) throw new Error(`no live token ${JSON.stringify(idOrName)}`);
        console.log(`revoked ${t.name} (id ${t.id})`);
      });
    });
}

import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { validateName } from '../client/validate.js';
import { withSchema } from '../db/sql.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';

export type Role = 'admin' | 'operator' | 'viewer';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Who a request acts as. `tenant`: the only tenant a tenant-scoped token may see. */
export interface Principal {
  name: string;
  role: Role;
  tenant: string | null;
}

export interface TokenInfo extends Principal {
  id: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreateTokenOptions {
  name: string;
  role: Role;
  tenant?: string | null;
  /** Expiry in ms from now (absent: never expires). */
  expiresInMs?: number;
}

/** True when `have` may do what `need` requires (admin ⊃ operator ⊃ viewer). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

const PREFIX = 'rota_';

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

const isIdCursor = (v: unknown): v is string => typeof v === 'string' && /^\d{1,19}$/.test(v);

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  tenant: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    tenant: r.tenant,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * API tokens: created with a random secret that is returned once and stored only as
 * its SHA-256. Verification is one indexed lookup; a short cache keeps it off the
 * database for a busy client (revocation through this store clears it at once; through
 * another process it takes effect within `cacheMs`).
 */
export class TokenStore {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private activeCount: { n: number; until: number } | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly cacheMs = 2_000,
  ) {}

  private sql(text: string): string {
    return withSchema(text, this.schema);
  }

  async create(opts: CreateTokenOptions): Promise<{ token: TokenInfo; secret: string }> {
    validateName('name', opts?.name);
    if (!ROLES.includes(opts.role)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')} (got ${String(opts.role)})`);
    const tenant = opts.tenant ?? null;
    if (tenant !== null) validateName('tenant', tenant);
    const expiresInMs = opts.expiresInMs;
    if (expiresInMs !== undefined && !(Number.isInteger(expiresInMs) && expiresInMs > 0))
      throw new ValidationError('expiresInMs', `must be a positive integer (got ${String(expiresInMs)})`);
    const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    try {
      const res = await this.pool.query<TokenRow>(
        this.sql(`INSERT INTO {{schema}}.api_tokens (name, role, tenant, secret_hash, expires_at)
                  VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
                  RETURNING id, name, role, tenant, created_at, expires_at, last_used_at, revoked_at`),
        [opts.name, opts.role, tenant, hash(secret), expiresInMs ?? null],
      );
      this.activeCount = null;
      return { token: toInfo(res.rows[0] as TokenRow), secret };
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ValidationError('name', `a live token named ${JSON.stringify(opts.name)} exists already`);
      throw err;
    }
  }

  async list(opts: { includeRevoked?: boolean } = {}): Promise<TokenInfo[]> {
    const res = await this.pool.query<TokenRow>(
      this.sql(`SELECT id, name, role, tenant, created_at, expires_at, last_used_at, revoked_at
                  FROM {{schema}}.api_tokens WHERE $1 OR revoked_at IS NULL ORDER BY id`),
      [Boolean(opts.includeRevoked)],
    );
    return res.rows.map(toInfo);
  }

  /** One page of tokens by id (keyset: `nextCursor` is null on the last page). */
  async page(opts: { includeRevoked?: boolean; limit?: number; cursor?: string | null } = {}): Promise<Page<TokenInfo>> {
    const limit = pageLimit(opts.limit);
    const after = opts.cursor ? decodeCursor(opts.cursor, isIdCursor) : null;
    const res = await this.pool.query<TokenRow>(
      this.sql(`SELECT id, name, role, tenant, created_at, expires_at, last_used_at, revoked_at
                  FROM {{schema}}.api_tokens
                 WHERE ($1 OR revoked_at IS NULL) AND ($2::bigint IS NULL OR id > $2)
                 ORDER BY id LIMIT $3`),
      [Boolean(opts.includeRevoked), after, limit + 1],
    );
    const rows = res.rows.slice(0, limit);
    const last = rows.at(-1);
    return { items: rows.map(toInfo), nextCursor: res.rows.length > limit && last ? encodeCursor(String(last.id)) : null };
  }

  /** Revokes a token by id or name. Returns the revoked token, or null when there was no live one. */
  async revoke(idOrName: string): Promise<TokenInfo | null> {
    if (typeof idOrName !== 'string' || idOrName === '') throw new ValidationError('token', 'must be a token id or name');
    const byId = /^[1-9]\d{0,18}$/.test(idOrName);
    const res = await this.pool.query<TokenRow>(
      this.sql(`UPDATE {{schema}}.api_tokens SET revoked_at = now()
                 WHERE revoked_at IS NULL AND ${byId ? 'id = $1::bigint' : 'name = $1'}
                 RETURNING id, name, role, tenant, created_at, expires_at, last_used_at, revoked_at`),
      [idOrName],
    );
    this.cache.clear();
    this.activeCount = null;
    const r = res.rows[0];
    return r ? toInfo(r) : null;
  }

  /** The principal of a presented secret, or null when it is unknown, revoked or expired. */
  async verify(secret: string): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(secret);
    if (hit && hit.until > now) return hit.principal;
    if (!secret.startsWith(PREFIX) || secret.length > 200) return null;
    const res = await this.pool.query<{ name: string; role: Role; tenant: string | null }>(
      this.sql(`UPDATE {{schema}}.api_tokens SET last_used_at = now()
                 WHERE secret_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                 RETURNING name, role, tenant`),
      [hash(secret)],
    );
    const r = res.rows[0];
    const principal = r ? { name: r.name, role: r.role, tenant: r.tenant } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(secret, { principal, until: now + this.cacheMs });
    return principal;
  }

  /** Whether any live token exists (without one the server is open to loopback callers only). */
  async anyActive(): Promise<boolean> {
    const now = Date.now();
    if (this.activeCount && this.activeCount.until > now) return this.activeCount.n > 0;
    const res = await this.pool.query<{ n: number }>(
      this.sql(`SELECT count(*)::int AS n FROM {{schema}}.api_tokens
                 WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`),
    );
    const n = res.rows[0]?.n ?? 0;
    this.activeCount = { n, until: now + this.cacheMs };
    return n > 0;
  }
}

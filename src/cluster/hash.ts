/**
 * Where a tenant, a schedule and a job id live. These rules are part of the stored data:
 * changing them would send a tenant's new jobs to another group than its old ones, so
 * test/cluster/hash.test.ts pins them with test vectors.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes of `text` (unsigned). */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** The tenant's group: FNV-1a of the tenant id modulo the group count (untenanted jobs are tenant 'default'). */
export function groupOfTenant(tenant: string, groups: number): number {
  return fnv1a32(tenant) % groups;
}

/** A schedule's group: FNV-1a of `schedule:` + its name, so schedules spread independently of tenants. */
export function groupOfSchedule(name: string, groups: number): number {
  return fnv1a32(`schedule:${name}`) % groups;
}

/** Ids of group g start at (g + 1) · 2^48; ids below 2^48 belong to a pre-existing single-server schema. */
export const GROUP_ID_BITS = 48n;

/** Most groups ids can tell apart: (g + 1) · 2^48 must stay below 2^63. */
export const MAX_GROUPS = 32_766;

/** The first job id of group g. */
export function groupIdBase(group: number): bigint {
  return BigInt(group + 1) << GROUP_ID_BITS;
}

/** The group a job id belongs to: -1 for an id of the pre-existing schema (below 2^48). */
export function groupOfJobId(id: string): number {
  return Number(BigInt(id) >> GROUP_ID_BITS) - 1;
}

/** The schema holding group g: `<prefix>_g000` (at least three digits). */
export function groupSchema(prefix: string, group: number): string {
  return `${prefix}_g${String(group).padStart(3, '0')}`;
}

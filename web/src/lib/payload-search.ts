/**
 * The jobs page's payload search, typed either as a JSON fragment (`{"customer":{"id":42}}`)
 * or as a path and a value (`customer.id = 42`). Both become the JSON object the API
 * looks for by containment (`payload @> fragment`, served by the payload index).
 */
export type PayloadSearch = { fragment: Record<string, unknown> } | { error: string };

function parseValue(raw: string): unknown {
  const s = raw.trim();
  try {
    return JSON.parse(s);
  } catch {
    return s.replace(/^(['"])(.*)\1$/, '$2');
  }
}

export function parsePayloadSearch(text: string): PayloadSearch | null {
  const s = text.trim();
  if (s === '') return null;
  if (s.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(s);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'must be a JSON object' };
      return { fragment: v as Record<string, unknown> };
    } catch (e) {
      return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const eq = s.indexOf('=');
  if (eq <= 0) return { error: 'a JSON object, or path = value (e.g. customer.id = 42)' };
  const path = s
    .slice(0, eq)
    .trim()
    .replace(/^\$\.?/, '')
    .split('.')
    .map((p) => p.trim());
  if (path.some((p) => p === '')) return { error: 'the path has an empty part' };
  let fragment: unknown = parseValue(s.slice(eq + 1));
  for (const key of path.reverse()) fragment = { [key]: fragment };
  return { fragment: fragment as Record<string, unknown> };
}

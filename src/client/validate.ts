import { ValidationError } from '../errors.js';
import { PRIORITIES, type Priority } from '../types.js';

export const NAME_MAX = 128;

/** Queue and tenant names: 1..128 characters, no control characters. */
export function validateName(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string (got ${typeof value})`);
  if (value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (value.length > NAME_MAX) throw new ValidationError(field, `must be at most ${NAME_MAX} characters (got ${value.length})`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ValidationError(field, 'must not contain control characters');
  return value;
}

export function priorityRank(field: string, value: unknown): number {
  if (value === undefined) return 2;
  const rank = PRIORITIES.indexOf(value as Priority);
  if (rank < 0) throw new ValidationError(field, `must be one of ${PRIORITIES.join(', ')} (got ${JSON.stringify(value)})`);
  return rank;
}

export function positiveInt(field: string, value: unknown, { min = 1, max = 2_147_483_647 } = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

export function nonNegativeNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(field, `must be a finite number >= 0 (got ${String(value)})`);
  }
  return value;
}

/**
 * Serialises a payload for jsonb: it must be JSON (no undefined at the top, no
 * functions, no cycles, no BigInt), and at most `maxBytes` of UTF-8.
 */
export function serializePayload(field: string, value: unknown, maxBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new ValidationError(field, `is not JSON-serializable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new ValidationError(field, `is not JSON-serializable (got ${typeof value})`);
  // jsonb cannot hold the NUL character.
  if (text.includes('\\u0000')) throw new ValidationError(field, 'must not contain the NUL character (\\u0000)');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new ValidationError(field, `is ${bytes} bytes, over the limit of ${maxBytes}`);
  return text;
}

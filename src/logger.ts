import { pino } from 'pino';

/** The subset of pino's API rota uses; pass any pino logger (or a compatible one). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Default logger: pino to stderr, level from ROTA_LOG_LEVEL (default "warn"). */
export function defaultLogger(): Logger {
  return pino({ name: 'rota', level: process.env.ROTA_LOG_LEVEL ?? 'warn' }, pino.destination(2));
}

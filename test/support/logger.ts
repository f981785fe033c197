import type { Logger } from '../../src/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

/** A Logger that keeps every line in `lines` (tests assert on them; nothing is printed). */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const make = (bindings: object): Logger & { lines: LogLine[] } => {
    const at =
      (level: LogLine['level']) =>
      (obj: object, msg = ''): void => {
        lines.push({ level, msg, obj: { ...bindings, ...obj } });
      };
    return {
      lines,
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (b) => make({ ...bindings, ...b }),
    };
  };
  return make({});
}

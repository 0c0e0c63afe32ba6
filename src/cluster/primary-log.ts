// The primary's own log lines, in the workers' format (pino's JSON: level number, time, pid,
// msg), so one shipper config reads both. The primary does not build the app, so it has no
// fastify logger; this is the handful of lines it writes.
import { hostname } from 'node:os';
import type { LogLevel } from '../config/types.js';

const LEVELS: Record<Exclude<LogLevel, 'silent'>, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export type PrimaryLog = Record<'info' | 'warn' | 'error' | 'fatal', (fields: Record<string, unknown>, msg: string) => void>;

export function primaryLog(level: LogLevel, write: (line: string) => void): PrimaryLog {
  const min = level === 'silent' ? Infinity : LEVELS[level];
  const host = hostname();
  const at =
    (lvl: keyof typeof LEVELS) =>
    (fields: Record<string, unknown>, msg: string): void => {
      if (LEVELS[lvl] < min) return;
      write(`${JSON.stringify({ level: LEVELS[lvl], time: Date.now(), pid: process.pid, hostname: host, role: 'primary', ...fields, msg })}\n`);
    };
  return { info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}

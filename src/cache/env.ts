// Typed reads of environment variables for the cache, telemetry and decision-log settings.
// Problems are collected as ConfigIssues (the service's config vocabulary) so startup can
// report every bad value at once.
import type { ConfigIssue } from '../config/types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function intFromEnv(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
  issues: ConfigIssue[],
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) {
    issues.push({ source: name, message: `must be an integer, got "${raw}"` });
    return fallback;
  }
  const n = Number(raw);
  if (n < range.min || n > range.max) {
    issues.push({ source: name, message: `must be between ${range.min} and ${range.max}, got ${n}` });
    return fallback;
  }
  return n;
}

export function boolFromEnv(env: Env, name: string, fallback: boolean, issues: ConfigIssue[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1' || raw === 'yes' || raw === 'on') return true;
  if (raw === 'false' || raw === '0' || raw === 'no' || raw === 'off') return false;
  issues.push({ source: name, message: `must be true or false, got "${raw}"` });
  return fallback;
}

export function listFromEnv(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

// Each request's logger (request.log, with its reqId) made when the request first logs at an
// enabled level, not when the request arrives: pino's child() costs ~2,700 instructions per request
// (bench/http/profile.mjs), and at the default level (info, request logging off) a request that
// goes well never logs. What is logged is the same: the child is pino's own, with the same bindings.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.made$().level = level;
  }

  // Methods on the prototype: nothing made per request but the object itself.
  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }

  error(...args: unknown[]): void {
    this.log('error', args);
  }

  warn(...args: unknown[]): void {
    this.log('warn', args);
  }

  info(...args: unknown[]): void {
    this.log('info', args);
  }

  debug(...args: unknown[]): void {
    this.log('debug', args);
  }

  trace(...args: unknown[]): void {
    this.log('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.made$().child(bindings, options);
  }

  private made$(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return;
    const logger = this.made$();
    (logger[level] as (...a: unknown[]) => void).apply(logger, args);
  }
}

type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/** fastify's childLoggerFactory: lazy children where a request's logger only adds its bindings
 * (a route with its own level or serializers gets pino's child at once, as fastify makes it). */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = function (logger, bindings, opts) {
  const parent = logger as LevelAware;
  if (opts.level !== undefined || opts.serializers !== undefined || typeof parent.isLevelEnabled !== 'function') return logger.child(bindings, opts);
  return new LazyChildLogger(parent, bindings);
};

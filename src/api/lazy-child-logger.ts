// Each request's logger (request.log, with its reqId) made when the request first logs at an
// enabled level, not when the request arrives: pino's child() costs ~2,700 instructions per request
// (bench/http/profile.mjs), and at the default level (info, request logging off) a request that
// goes well never logs. What is logged is the same: the child is pino's own, with the same bindings.
// The root logger's child() is replaced (not fastify's childLoggerFactory option: fastify checks
// the logger a custom factory returns on every request, ~1,500 instructions of keyed loads).
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly bindings: Bindings,
    private readonly makeChild: ChildFn,
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
    return (this.made ??= this.makeChild.call(this.parent, this.bindings));
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return;
    const logger = this.made$();
    (logger[level] as (...a: unknown[]) => void).apply(logger, args);
  }
}

type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
type ChildFn = (this: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions) => FastifyBaseLogger;

/** Makes the children of this pino logger lazy (and theirs: pino's children inherit the method)
 * where a child only adds bindings; a child with options (a level, serializers) is made at once. */
export function makeChildrenLazy(root: FastifyBaseLogger): void {
  const logger = root as LevelAware & { child: ChildFn };
  const pinoChild = logger.child;
  if (typeof logger.isLevelEnabled !== 'function' || typeof pinoChild !== 'function') return;
  logger.child = function (this: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    if (options !== undefined) for (const _ in options) return pinoChild.call(this, bindings, options);
    return new LazyChildLogger(this as LevelAware, bindings, pinoChild);
  };
}

// Entry module: import this FIRST on the server start path (before fastify or anything that
// creates spans), e.g. `import './telemetry/register.js'`. It starts the OpenTelemetry SDK
// from the OTEL_* environment (see ./tracing.ts) and stops it on process exit signals only
// through the server's own shutdown (which calls tracingHandle()?.shutdown()).
import { startTracing } from './tracing.js';

startTracing();

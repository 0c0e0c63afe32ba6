// The entry a cluster worker runs: the same start() as `pdp serve` (src/start.ts), which sees
// cluster.isWorker and serves on the primary's shared socket instead of forking.
import { start } from '../start.js';
import { adoptInstanceId } from '../shared/instance.js';

// One instance: the primary's id (its one argument to every worker).
adoptInstanceId(process.argv[2]);

start().catch((err: unknown) => {
  process.stderr.write(`pdp worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});

// `pdp serve` from the TypeScript sources, as bin/pdp.js runs the compiled CLI: configuration
// from the environment (and `--config FILE` when given), the tracing SDK owned by the process,
// signals handled. Run it with `node --import tsx test/helpers/pdp-serve.ts [--config FILE]`; its
// stdout is the service's (logs and the stdout decision-log sink).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(['serve', ...process.argv.slice(2)]);

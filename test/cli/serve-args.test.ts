// `pdp serve` arguments: --config / -c / --config-file name the config file; anything else is a
// usage error (exit 2) before anything starts.
import t from 'tap';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { CliError, processIO } from '../../src/cli/io.js';

t.test('usage errors', async (t) => {
  const io = processIO();
  await t.rejects(serveCommand(['--config', 'a.yaml', '--config-file', 'b.yaml'], io), { code: 'usage', message: /not both/ });
  await t.rejects(serveCommand(['--port', '1'], io), CliError);
  await t.rejects(serveCommand(['extra'], io), { code: 'usage' });
});

t.test('a config file that does not exist stops the start with the flag named', async (t) => {
  await t.rejects(serveCommand(['-c', '/nonexistent/opa-config.yaml'], processIO()), {
    code: 'CONFIG_INVALID',
    message: /--config: cannot read config file \/nonexistent\/opa-config\.yaml: ENOENT/,
  });
});

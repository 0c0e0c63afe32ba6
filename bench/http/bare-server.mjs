// (a) The ceiling: a bare fastify app on the same Node, one POST route that parses the JSON body
// and answers constant JSON. Prints {"url"} on stderr once listening.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const ANSWER = { decision_id: '00000000-0000-4000-8000-000000000000', allow: true, reasons: [], obligations: [], exceptions_applied: [] };
app.post('/bare', {
  schema: {
    response: {
      200: {
        type: 'object',
        properties: {
          decision_id: { type: 'string' },
          allow: { type: 'boolean' },
          reasons: { type: 'array' },
          obligations: { type: 'array' },
          exceptions_applied: { type: 'array' },
        },
      },
    },
  },
  handler: async () => ANSWER,
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));

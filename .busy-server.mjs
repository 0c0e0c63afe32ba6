import Fastify from 'fastify';
const WORK_US = Number(process.env.WORK_US ?? 150);
const app = Fastify({ logger: false });
const ANSWER = { allow: true };
const spin = () => { const end = process.hrtime.bigint() + BigInt(WORK_US * 1000); let x = 0; while (process.hrtime.bigint() < end) x++; return x; };
app.post('/v1/decisions/tool-call', { handler: async () => (spin(), ANSWER) });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));

/**
 * The yardstick of `npm run bench:http`: a bare fastify route that returns a constant JSON
 * document of about the size of a ComputerSystem. Usage: node dist/bench/bare-server.js PORT
 */
import Fastify from 'fastify';

const body = JSON.stringify({
  '@odata.id': '/redfish/v1/Systems/node-1',
  '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
  Id: 'node-1',
  Name: 'A constant document',
  padding: 'x'.repeat(700),
});
const app = Fastify();
app.get('/bare', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
console.log('ready');

// `make serve`: serves the built site on loopback and prints its URL. Usage: node tools/serve.mjs DIR PORT
import { startServer } from './static-server.mjs';

const dir = process.argv[2] ?? 'dist';
const port = Number(process.argv[3] ?? process.env.PORT ?? 8080);
const { url } = await startServer(dir, port, process.env.HOST ?? '127.0.0.1');
console.log(`GAN playground: ${url}  (Ctrl-C to stop)`);

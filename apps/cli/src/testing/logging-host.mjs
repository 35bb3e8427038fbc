// A Fiscal host that logs a burst and then ends, for the log-flushing tests:
// node logging-host.mjs <lines> <sigterm|crash>
// The lines are still buffered when the process is told to stop: they must all reach stdout, in order.
import { startHost } from '../../dist/host.js';

const [lines, ending] = [Number(process.argv[2]), process.argv[3]];
const host = await startHost('logging-test', {
  logLevel: 'info',
  otlpEndpoint: undefined,
  traceSampleRatio: 1,
  shutdownTimeout: 5_000,
  adminHost: '127.0.0.1',
  adminPort: 0,
  adminToken: undefined,
});
host.markStarted();
const filler = 'x'.repeat(200);
for (let sequence = 1; sequence <= lines; sequence++) host.logger.info({ sequence, filler }, 'burst');
host.logger.info('last line before the end');
if (ending === 'crash') throw new Error('a fatal error nobody handles');
process.kill(process.pid, 'SIGTERM');

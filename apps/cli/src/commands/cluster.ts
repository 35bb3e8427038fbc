import { parseArgs } from 'node:util';
import { integer } from '@fiscal/kit/config';
import { clusterDown, clusterStatus, clusterUp } from '../cluster/local-cluster.js';
import { numericOption } from '../command-line.js';

const usage = `fiscal cluster up [--dir D] [--name N] [--port P] [--postgres URL] [--rabbitmq URL] [--redis URL]
fiscal cluster status [--dir D]
fiscal cluster down [--dir D] [--purge]

The distributed system on this machine: each service a fiscal serve process on loopback against
the local PostgreSQL, RabbitMQ and Redis, two gateways behind HAProxy on --port (default 8080),
two invoice workers, two invoice shards as two databases. --dir (default ./data/cluster) keeps
its state, logs and archived documents; --purge also drops its databases, queues and Redis keys.
FISCAL_* and OTEL_* variables in the environment reach every process.`;

export async function runCluster(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: './data/cluster' },
      name: { type: 'string', default: 'fiscal_cluster' },
      port: { type: 'string', default: '8080' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      rabbitmq: {
        type: 'string',
        default: process.env.FISCAL_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      },
      redis: { type: 'string', default: process.env.FISCAL_REDIS_URL ?? 'redis://127.0.0.1:6379' },
      purge: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action] = positionals;
  if (values.help || !action || !['up', 'down', 'status'].includes(action)) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const port = numericOption('cluster', 'port', values.port, integer({ min: 1, max: 65_535 }), 8080);
  try {
    if (action === 'up') {
      const state = await clusterUp(
        {
          dir: values.dir,
          name: values.name,
          port,
          postgresUrl: values.postgres,
          rabbitmqUrl: values.rabbitmq,
          redisUrl: values.redis,
        },
        (line) => console.log(`fiscal cluster: ${line}`),
      );
      console.log(
        `fiscal cluster: up — the API's reference is at ${state.url}/docs (its routes under ${state.url}/api/v1/)`,
      );
      for (const process of state.processes)
        console.log(
          `  ${process.name.padEnd(18)} pid ${process.pid}  admin http://127.0.0.1:${process.adminPort}  log ${process.log}`,
        );
      console.log(
        `  log in as ${state.bootstrapAdminEmail}${state.adminPasswordFile ? ` (password in ${state.adminPasswordFile})` : ''}`,
      );
      console.log(`  operator token for fiscal dlq: ${state.adminTokenFile}`);
      return 0;
    }
    if (action === 'status') {
      const { processes } = await clusterStatus(values.dir);
      for (const process of processes)
        console.log(
          `${process.name.padEnd(18)} ${String(process.pid).padEnd(8)} ${(process.running ? (process.ready ? 'ready' : 'not ready') : 'stopped').padEnd(10)} ${process.endpoint}`,
        );
      return processes.every((process) => process.ready) ? 0 : 1;
    }
    const { stopped, killed, unclean } = await clusterDown(values.dir, { purge: values.purge });
    console.log(
      `fiscal cluster: stopped ${stopped.length} processes${killed.length ? `, killed ${killed.join(', ')}` : ''}${unclean.length ? `; did not shut down cleanly: ${unclean.join(', ')} (see their logs)` : ''}`,
    );
    return killed.length === 0 && unclean.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`fiscal cluster ${action}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

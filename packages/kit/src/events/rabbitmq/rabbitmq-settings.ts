import { defineConfig, string, url } from '../../config/index.js';

/** The broker that processes of distributed mode share. */
export const rabbitMqConfig = defineConfig({
  rabbitmqUrl: {
    env: 'FISCAL_RABBITMQ_URL',
    type: url({ protocols: ['amqp', 'amqps'] }),
    doc: 'RabbitMQ, the event broker (distributed mode).',
  },
  rabbitmqNamePrefix: {
    env: 'FISCAL_RABBITMQ_NAME_PREFIX',
    type: string(),
    default: '',
    doc: 'Prefix of every exchange and queue name, to keep environments apart on one broker.',
  },
});

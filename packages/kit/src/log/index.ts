export { censorSecrets } from './censor-secrets.js';
export { type SerializedError, serializeError } from './error-serializer.js';
export { currentLogContext, extendLogContext, type LogContext, runWithLogContext } from './log-context.js';
export { createLogger, flushLogs, type LoggerOptions } from './logger.js';

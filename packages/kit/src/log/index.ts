export { type SerializedError, serializeError } from './error-serializer.js';
export { currentLogContext, extendLogContext, type LogContext, runWithLogContext } from './log-context.js';
export { createLogger, type LoggerOptions } from './logger.js';

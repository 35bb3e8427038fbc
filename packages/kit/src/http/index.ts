export { type AccessLogOptions, accessLogConfig, accessLogSampler } from './access-log.js';
export { type AdminServerOptions, createAdminServer } from './admin-server.js';
export { clientGoneSignal } from './client-gone.js';
export { createHttpServer, type HttpServer, type HttpServerOptions, listen } from './http-server.js';
export { installProblemHandlers, sendProblem, validationProblems } from './problem-handler.js';

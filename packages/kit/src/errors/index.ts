export {
  AppError,
  type AppErrorOptions,
  type ErrorKind,
  type FieldProblem,
  isAppError,
} from './app-error.js';
export { type Problem, statusByKind, titleByKind, toProblem } from './problem.js';

export {
  AppError,
  type AppErrorOptions,
  type ErrorKind,
  type FieldProblem,
  isAppError,
} from './app-error.js';
export { type Problem, statusByKind, toProblem } from './problem.js';

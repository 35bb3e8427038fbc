export { type ModuleHost, type RunModulesOptions, runModules } from './run-modules.js';
export type { ServiceModule } from './service-module.js';

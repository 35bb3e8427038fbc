export { commonConfig } from './common.js';
export {
  ConfigError,
  type ConfigOf,
  type ConfigReferenceRow,
  type ConfigSpec,
  defineConfig,
  describeConfig,
  type Field,
  field,
  parseConfig,
} from './config.js';
export {
  boolean,
  duration,
  integer,
  keyValues,
  list,
  number,
  oneOf,
  type Parser,
  port,
  secret,
  string,
  url,
} from './parsers.js';

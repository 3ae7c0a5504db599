export { startServer, type RunningServer } from './server.js';
export {
  resolveConfig,
  ConfigError,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type ServerConfig,
  type ServerOptions,
} from './config.js';

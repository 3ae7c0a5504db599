export { startServer, type RunningServer } from './server.js';
export {
  resolveConfig,
  resolveDataDir,
  ConfigError,
  isLoopbackHost,
  type AuthConfig,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type ServerConfig,
  type ServerOptions,
} from './config.js';
export {
  runCommand,
  probeBubblewrapSandbox,
  probeOverlay,
  probeCgroups,
  probeDataDir,
  probeWorkspaceQuota,
  type CommandRun,
  type CgroupFacts,
  type QuotaFacts,
} from './host/probes.js';

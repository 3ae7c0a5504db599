/** OpenCode, the agent: configuration, the server process, and the driver. See docs/dev/opencode.md. */
export {
  buildOpenCodeConfig,
  modelSettings,
  parseModel,
  OPENAI_COMPATIBLE_PROVIDER,
  PROVIDER_KEY_VARIABLES,
  type GeneratedConfig,
  type ModelRef,
  type ModelSettings,
  type OpenCodeConfig,
} from './config.js';
export { discoverOpenAICompatibleModels } from './discover-models.js';
export {
  startOpenCodeServer,
  resolveOpenCodeBinary,
  OPENCODE_USERNAME,
  type OpenCodeExit,
  type OpenCodeServer,
  type OpenCodeServerOptions,
} from './server-process.js';
export {
  OpenCodeDriver,
  type OpenCodeDriverOptions,
  type PromptResult,
  type RunPromptOptions,
} from './driver.js';
export {
  ActivityTranslator,
  MAX_TOOL_PAYLOAD_BYTES,
  type Activity,
  type OpenCodeEvent,
} from './translate.js';
export { TurnTracker, type TurnEnd } from './turn.js';

/** The in-sandbox supervisor: environment contract, decisions, scripts, OpenCode keeper. */
export { parseSupervisorEnv, configSecrets, type SupervisorConfig } from './env.js';
export {
  decide,
  initialState,
  SNAPSHOT_UNSUPPORTED,
  type Action,
  type Answer,
  type PromptCommand,
  type SupervisorEvent,
  type SupervisorState,
} from './decide.js';
export { planStart, pickScript, SCRIPT_DIRS, type StartPlan, type ScriptKind } from './plan.js';
export { runScript, describeRun, type ScriptRun, type ScriptOptions } from './scripts.js';
export { OpenCodeKeeper, type KeeperOptions } from './opencode-keeper.js';
export { Supervisor, type SupervisorDeps } from './supervisor.js';
export { createLogger, type Logger } from './log.js';

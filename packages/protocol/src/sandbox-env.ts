import { z } from 'zod';
import {
  decodeSecretMap,
  FIELDS,
  SECRET_MAPS,
  VARIABLES,
  type Field,
  type Variables,
} from './sandbox-env-variables.js';

export { DEFAULT_BOT, decodeSecretMap, encodeSecretMap, isBranchName } from './sandbox-env-variables.js';

/**
 * The sandbox's environment contract: the variables the control plane starts a sandbox's
 * supervisor with (packages/sandbox/README.md, "Environment contract"), as one schema. The control
 * plane writes them with `encodeSandboxEnv`, the supervisor reads them with `decodeSandboxEnv`;
 * the variables themselves are listed in `sandbox-env-variables.ts`.
 */

/**
 * Provider keys and endpoints (ANTHROPIC_API_KEY, OPENAI_BASE_URL …) travel under their own
 * names, which OpenCode reads by itself; Nightshift's own variables only ever as fields of `VARIABLES`.
 */
function isProviderVariable(name: string): boolean {
  return /^[A-Z0-9_]+_(API_KEY|BASE_URL)$/.test(name) && !isNightshiftVariable(name);
}

function isNightshiftVariable(name: string): boolean {
  return name.startsWith('NIGHTSHIFT_');
}

const shape = Object.fromEntries(FIELDS.map((field) => [field, VARIABLES[field].schema])) as {
  [F in Field]: Variables[F]['schema'];
};

const SandboxEnvFields = z.object({
  ...shape,
  providerEnv: z
    .record(z.string(), z.string())
    .default({})
    .describe('provider keys and endpoints, by their own names; OpenCode and repository scripts see them'),
});

export const SandboxEnv = SandboxEnvFields.superRefine((env, ctx) => {
  const { gitUsername, gitPassword, branch, baseBranch } = VARIABLES;
  if ((env.gitUsername || env.gitPassword) && env.repoUrl && !/^https?:/i.test(env.repoUrl))
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `${gitUsername.name}/${gitPassword.name} only apply to http(s) repository URLs`,
    });
  if (env.branch && env.branch === env.baseBranch)
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `${branch.name} must differ from ${baseBranch.name} (${env.branch}): the base branch is never pushed to`,
    });
});
/** What the supervisor is told, defaults filled in. */
export type SandboxEnv = z.output<typeof SandboxEnv>;
/** What the control plane says; whatever it leaves out takes the contract's default. */
export type SandboxEnvInput = z.input<typeof SandboxEnv>;

type Environment = Record<string, string | undefined>;

/** Every problem with an environment at once, each naming its variable; never a secret's value. */
export class SandboxEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid supervisor environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SandboxEnvError';
  }
}

/**
 * The variables for `values`. Not validated here: a value the sandbox refuses is reported by the
 * sandbox, on the session's timeline, where the operator sees it. A provider writes its part
 * (`workspace`, `stateDir`) next to the session's, so any subset may be encoded.
 */
export function encodeSandboxEnv(values: Partial<SandboxEnvInput>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values.providerEnv ?? {}))
    if (isProviderVariable(name)) env[name] = value;
  for (const field of FIELDS) {
    const value = values[field];
    if (value !== undefined) env[VARIABLES[field].name] = String(value);
  }
  return env;
}

/** The contract read from a sandbox's environment, or a `SandboxEnvError` naming every problem. */
export function decodeSandboxEnv(env: Environment): SandboxEnv {
  const result = SandboxEnv.safeParse(readVariables(env));
  if (!result.success) throw new SandboxEnvError(result.error.issues.map((issue) => problemOf(issue, env)));
  return result.data;
}

/**
 * Just enough to reach the control plane, for a supervisor whose environment is otherwise
 * unusable: it then says why over the bridge instead of exiting silently.
 */
export function decodeBridgeEnv(
  env: Environment,
): Pick<SandboxEnv, 'bridgeUrl' | 'sandboxToken' | 'sandboxId'> | null {
  const result = SandboxEnvFields.pick({ bridgeUrl: true, sandboxToken: true, sandboxId: true }).safeParse(
    readVariables(env),
  );
  return result.success ? result.data : null;
}

/** The credentials an environment holds, to scrub from anything shown, even when it is invalid. */
export function sandboxEnvSecrets(env: Environment): string[] {
  const secrets = FIELDS.filter((field) => VARIABLES[field].secret).flatMap((field) => {
    const value = present(env[VARIABLES[field].name], true);
    // A secret map is its values, each of which is to be scrubbed on its own.
    if (SECRET_MAPS.has(field) && value !== undefined) return Object.values(decodeSecretMap(value) ?? {});
    return [value];
  });
  secrets.push(...Object.values(pickProviderEnv(env)));
  return secrets.filter((secret): secret is string => Boolean(secret));
}

/**
 * The names of the contract's credentials. A launcher keeps them out of the sandbox's environment:
 * every process there inherits its environment at exec, bubblewrap's init included, whose
 * /proc/<pid>/environ the agent can read when the sandbox runs as the server's own uid.
 */
export function sandboxSecretNames(): string[] {
  return FIELDS.filter((field) => VARIABLES[field].secret).map((field) => VARIABLES[field].name);
}

/**
 * The contract's credentials in `env`, for the supervisor's stdin: `NAME=value` records, each
 * ended by a NUL, which no environment value can hold.
 */
export function encodeSandboxSecrets(env: Environment): string {
  return sandboxSecretNames()
    .filter((name) => env[name] !== undefined)
    .map((name) => `${name}=${env[name]}\0`)
    .join('');
}

/**
 * The supervisor's environment with the credentials its stdin holds, when the environment says
 * they come there (`readStdin` is only called then). Only the contract's credentials are taken.
 */
export function withStdinSecrets(env: Environment, readStdin: () => string): Environment {
  if (present(env[VARIABLES.secretsOnStdin.name], false) === undefined) return env;
  const names = new Set(sandboxSecretNames());
  const merged = { ...env };
  for (const record of readStdin().split('\0')) {
    const equals = record.indexOf('=');
    const name = record.slice(0, equals);
    if (equals > 0 && names.has(name)) merged[name] = record.slice(equals + 1);
  }
  return merged;
}

/** The provider keys and endpoints of an environment: what the control plane passes on of its own. */
export function pickProviderEnv(env: Environment): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && isProviderVariable(name)) picked[name] = value;
  return picked;
}

/**
 * The environment repository code runs with (setup.sh, start.sh, the agent and every command it
 * runs): the sandbox's without Nightshift's variables, which hold the sandbox token, and without
 * OPENCODE_* ones, which would steer the supervisor's own OpenCode server.
 */
export function repositoryEnv(env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !isNightshiftVariable(name) && !name.startsWith('OPENCODE_'))
      out[name] = value;
  return out;
}

function readVariables(env: Environment): Record<string, unknown> {
  const values: Record<string, unknown> = { providerEnv: pickProviderEnv(env) };
  for (const field of FIELDS) {
    const { name, secret, numeric } = VARIABLES[field];
    const value = present(env[name], secret);
    if (value !== undefined) values[field] = numeric ? Number(value) : value;
  }
  return values;
}

/** A blank variable counts as unset; only a credential keeps its surrounding whitespace. */
function present(raw: string | undefined, secret: boolean): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return secret ? raw : raw.trim();
}

/** Issues of the whole environment are already sentences; the others get their variable's name. */
function problemOf(issue: z.core.$ZodIssue, env: Environment): string {
  const field = issue.path[0];
  if (typeof field !== 'string' || !(field in VARIABLES)) return issue.message;
  const { name, secret, quoted } = VARIABLES[field as Field];
  const value = present(env[name], secret);
  return `${name} ${issue.message}${quoted && value !== undefined ? ` (got ${value})` : ''}`;
}

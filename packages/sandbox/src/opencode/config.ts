/**
 * OpenCode's configuration, generated from Nightshift's model settings (API.md "Models").
 * Pure: settings in, `{ config, env }` out; the server process passes both to `opencode serve`.
 */
import type { SandboxEnv } from '@nightshift/protocol';

/** Provider id under which any OpenAI-compatible endpoint is registered. */
export const OPENAI_COMPATIBLE_PROVIDER = 'openai-compatible';

/**
 * The variable the OpenAI-compatible key reaches OpenCode through; the config only names it
 * (`{env:…}`), so the key never sits in the config text.
 */
export const OPENAI_COMPATIBLE_KEY_ENV = 'NIGHTSHIFT_OC_OPENAI_COMPATIBLE_API_KEY';

/** The variable the model proxy's credential reaches OpenCode through, named by the config. */
export const MODEL_CREDENTIAL_ENV = 'NIGHTSHIFT_OC_MODEL_CREDENTIAL';

/** Provider keys OpenCode reads from its environment by itself (it knows their names offline). */
export const PROVIDER_KEY_VARIABLES = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GEMINI_API_KEY',
  'OPENROUTER_API_KEY',
  'GROQ_API_KEY',
  'MISTRAL_API_KEY',
  'XAI_API_KEY',
  'DEEPSEEK_API_KEY',
  'TOGETHER_AI_API_KEY',
] as const;

export interface ModelSettings {
  /** `provider/model`, the contract's `model`. */
  defaultModel?: string;
  /** The contract's `openaiCompatibleBaseUrl` / `openaiCompatibleApiKey`. */
  openaiCompatible?: {
    baseUrl: string;
    apiKey?: string;
    /**
     * Model ids to register. OpenCode refuses a model its config does not list ("Model not
     * found"), so every id a prompt may name must be here; see `discoverOpenAICompatibleModels`.
     */
    models: string[];
  };
  /** Provider API keys by variable name (ANTHROPIC_API_KEY …). */
  providerKeys?: Record<string, string>;
  /**
   * The control plane's model proxy: each provider listed is reached at `<baseUrl>/<provider>`
   * with the sandbox's credential, and the proxy adds the real key outside the sandbox.
   */
  proxy?: { baseUrl: string; credential: string; providers: string[] };
}

export interface ModelRef {
  providerID: string;
  modelID: string;
}

/** Splits `provider/model`; the model part may itself contain slashes (`openrouter/a/b`). */
export function parseModel(model: string): ModelRef | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
}

/** The model settings of a sandbox's environment contract. `models` starts from the default model. */
export function modelSettings(
  vars: Pick<
    SandboxEnv,
    | 'model'
    | 'openaiCompatibleBaseUrl'
    | 'openaiCompatibleApiKey'
    | 'providerEnv'
    | 'modelProxyUrl'
    | 'modelProxyProviders'
    | 'modelCredential'
  >,
): ModelSettings {
  const settings: ModelSettings = {};
  if (vars.model) settings.defaultModel = vars.model;
  if (vars.openaiCompatibleBaseUrl) {
    const ref = vars.model ? parseModel(vars.model) : undefined;
    settings.openaiCompatible = {
      baseUrl: vars.openaiCompatibleBaseUrl,
      models: ref?.providerID === OPENAI_COMPATIBLE_PROVIDER ? [ref.modelID] : [],
      ...(vars.openaiCompatibleApiKey ? { apiKey: vars.openaiCompatibleApiKey } : {}),
    };
  }
  const providerKeys: Record<string, string> = {};
  for (const name of PROVIDER_KEY_VARIABLES) {
    const value = vars.providerEnv[name];
    if (value) providerKeys[name] = value;
  }
  if (Object.keys(providerKeys).length > 0) settings.providerKeys = providerKeys;
  if (vars.modelProxyUrl && vars.modelCredential && vars.modelProxyProviders)
    settings.proxy = {
      baseUrl: vars.modelProxyUrl.replace(/\/+$/, ''),
      credential: vars.modelCredential,
      // openai-compatible comes as its own settings (its models are discovered at its endpoint).
      providers: vars.modelProxyProviders.split(',').filter((id) => id !== OPENAI_COMPATIBLE_PROVIDER),
    };
  return settings;
}

/** The subset of OpenCode's config we write (its schema: `GET /doc`, `Config`). */
export interface OpenCodeConfig {
  $schema: string;
  autoupdate: false;
  share: 'disabled';
  permission: 'allow';
  snapshot: false;
  disabled_providers: string[];
  /** Plugins by `file://` URL: loaded from disk, nothing installed. */
  plugin?: string[];
  model?: string;
  provider?: Record<
    string,
    {
      npm?: string;
      name?: string;
      options: { baseURL: string; apiKey: string };
      /** Added to (or overriding) what OpenCode knows of the provider's models. */
      models: Record<string, { name: string }>;
    }
  >;
}

export interface GeneratedConfig {
  config: OpenCodeConfig;
  /** Variables OpenCode needs in its environment (provider keys). Secret: never log. */
  env: Record<string, string>;
}

export function buildOpenCodeConfig(settings: ModelSettings): GeneratedConfig {
  const config: OpenCodeConfig = {
    $schema: 'https://opencode.ai/config.json',
    // Unattended work: nobody is there to approve a tool call, and the sandbox is the boundary.
    permission: 'allow',
    autoupdate: false,
    share: 'disabled',
    // OpenCode's own per-step snapshots (for its undo) are redundant with our commits and cost time.
    snapshot: false,
    // OpenCode's hosted free models would otherwise be selectable without any key; nothing should
    // leave the sandbox for a provider the operator did not configure.
    disabled_providers: ['opencode'],
  };
  if (settings.defaultModel) config.model = settings.defaultModel;
  const env: Record<string, string> = { ...settings.providerKeys };
  const providers: NonNullable<OpenCodeConfig['provider']> = {};
  if (settings.proxy) {
    const { baseUrl, credential } = settings.proxy;
    env[MODEL_CREDENTIAL_ENV] = credential;
    // OpenCode's own providers, pointed at the proxy: their SDKs and model lists stay OpenCode's.
    for (const id of settings.proxy.providers)
      providers[id] = {
        options: { baseURL: `${baseUrl}/${id}`, apiKey: `{env:${MODEL_CREDENTIAL_ENV}}` },
        models: {},
      };
  }

  if (settings.openaiCompatible) {
    const { baseUrl, apiKey, models } = settings.openaiCompatible;
    // Local servers (Ollama, llama.cpp) take any key; the SDK still wants a non-empty one.
    env[OPENAI_COMPATIBLE_KEY_ENV] = apiKey ?? 'nightshift-no-key';
    providers[OPENAI_COMPATIBLE_PROVIDER] = {
      // Bundled inside the opencode binary: nothing is downloaded at runtime.
      npm: '@ai-sdk/openai-compatible',
      name: 'OpenAI-compatible',
      options: { baseURL: baseUrl, apiKey: `{env:${OPENAI_COMPATIBLE_KEY_ENV}}` },
      models: Object.fromEntries([...new Set(models)].map((id) => [id, { name: id }])),
    };
  }
  if (Object.keys(providers).length > 0) config.provider = providers;
  return { config, env };
}

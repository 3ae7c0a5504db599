import { describe, expect, it } from 'vitest';
import { startModelServer } from '@nightshift/testkit';
import {
  buildOpenCodeConfig,
  discoverOpenAICompatibleModels,
  modelSettings,
  parseModel,
} from '../src/opencode/index.js';

describe('OpenCode config', () => {
  it('parses provider/model, keeping slashes in the model id', () => {
    expect(parseModel('anthropic/claude-sonnet-4-5')).toEqual({
      providerID: 'anthropic',
      modelID: 'claude-sonnet-4-5',
    });
    expect(parseModel('openrouter/meta/llama')).toEqual({ providerID: 'openrouter', modelID: 'meta/llama' });
    expect(parseModel('nomodel')).toBeUndefined();
    expect(parseModel('/x')).toBeUndefined();
  });

  it('allows everything, turns off updates, sharing and hosted free models', () => {
    const { config, env } = buildOpenCodeConfig(
      modelSettings({
        model: 'anthropic/claude-sonnet-4-5',
        providerEnv: { ANTHROPIC_API_KEY: 'sk-ant-1', ANTHROPIC_BASE_URL: 'http://x' },
      }),
    );
    expect(config).toMatchObject({
      permission: 'allow',
      autoupdate: false,
      share: 'disabled',
      model: 'anthropic/claude-sonnet-4-5',
      disabled_providers: ['opencode'],
    });
    expect(config.provider).toBeUndefined();
    expect(env).toEqual({ ANTHROPIC_API_KEY: 'sk-ant-1' });
  });

  it('registers an OpenAI-compatible endpoint with the key kept out of the config text', () => {
    const settings = modelSettings({
      model: 'openai-compatible/qwen2.5-coder',
      openaiCompatibleBaseUrl: 'http://127.0.0.1:11434/v1',
      openaiCompatibleApiKey: 'sk-very-secret',
      providerEnv: {},
    });
    const { config, env } = buildOpenCodeConfig(settings);
    const provider = config.provider?.['openai-compatible'];
    expect(provider).toMatchObject({
      npm: '@ai-sdk/openai-compatible',
      options: { baseURL: 'http://127.0.0.1:11434/v1' },
    });
    expect(Object.keys(provider!.models)).toEqual(['qwen2.5-coder']);
    expect(JSON.stringify(config)).not.toContain('sk-very-secret');
    expect(provider!.options.apiKey).toMatch(/^\{env:[A-Z_]+\}$/);
    const variable = provider!.options.apiKey.slice('{env:'.length, -1);
    expect(env[variable]).toBe('sk-very-secret');
  });

  it('discovers the models an OpenAI-compatible endpoint serves', async () => {
    const model = await startModelServer({ models: ['a', 'b'], apiKey: 'k' });
    try {
      expect(await discoverOpenAICompatibleModels(model.baseUrl, 'k')).toEqual(['a', 'b']);
      expect(await discoverOpenAICompatibleModels(model.baseUrl, 'wrong')).toEqual([]);
    } finally {
      await model.close();
    }
    expect(await discoverOpenAICompatibleModels('http://127.0.0.1:9/v1', undefined, 500)).toEqual([]);
  });
});

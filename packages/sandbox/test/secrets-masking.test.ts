import { describe, expect, it } from 'vitest';
import { createSecretMasker, decodeSecretMap, maskDeep } from '@nightshift/protocol';
import { secretsIn } from '../src/secrets/commit-guard.js';
import { createLogger } from '../src/supervisor/log.js';

const SECRETS = { DEPLOY_TOKEN: 'dpl-7f3a9c', NPM_TOKEN: 'npm/a b&c=d', PIN: '123' };

describe('masking secret values', () => {
  const mask = createSecretMasker(SECRETS);

  it('replaces a value, its base64 and its URL-encoded form by the secret’s name', () => {
    const base64 = Buffer.from('dpl-7f3a9c').toString('base64');
    expect(mask('token=dpl-7f3a9c.')).toBe('token=[secret:DEPLOY_TOKEN].');
    expect(mask(`Authorization: Basic ${base64}`)).toBe('Authorization: Basic [secret:DEPLOY_TOKEN]');
    expect(mask(`?t=${encodeURIComponent('npm/a b&c=d')}`)).toBe('?t=[secret:NPM_TOKEN]');
    expect(mask('npm/a b&c=d and dpl-7f3a9c')).toBe('[secret:NPM_TOKEN] and [secret:DEPLOY_TOKEN]');
  });

  it('leaves values shorter than 4 characters alone, and text without secrets as it is', () => {
    expect(mask('PIN 123')).toBe('PIN 123');
    expect(mask('nothing to see')).toBe('nothing to see');
    expect(createSecretMasker({})('dpl-7f3a9c')).toBe('dpl-7f3a9c');
  });

  it('masks the longer of two values that contain each other whole', () => {
    const nested = createSecretMasker({ SHORT: 'abcd', LONG: 'abcdefgh' });
    expect(nested('abcdefgh abcd')).toBe('[secret:LONG] [secret:SHORT]');
  });

  it('masks every string inside a tool call, keys and structure kept', () => {
    const activity = {
      kind: 'tool',
      status: 'completed',
      input: { command: 'echo dpl-7f3a9c', args: ['x', 'dpl-7f3a9c'] },
      output: 'dpl-7f3a9c\n',
      exitCode: 0,
    };
    expect(maskDeep(activity, mask)).toEqual({
      kind: 'tool',
      status: 'completed',
      input: { command: 'echo [secret:DEPLOY_TOKEN]', args: ['x', '[secret:DEPLOY_TOKEN]'] },
      output: '[secret:DEPLOY_TOKEN]\n',
      exitCode: 0,
    });
  });

  it('keeps values out of supervisor log lines, also where JSON would escape them', () => {
    const lines: string[] = [];
    const quoted = createSecretMasker({ QUOTED: 'a"b\\c-secret' });
    const log = createLogger([], (line) => lines.push(line), quoted);
    log('info', 'script printed a"b\\c-secret', { output: 'again a"b\\c-secret' });
    expect(lines.join('')).not.toContain('c-secret');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'script printed [secret:QUOTED]',
      output: 'again [secret:QUOTED]',
    });
  });

  it('finds which secrets a file holds, in any of those forms', () => {
    expect(secretsIn(`DEPLOY=${Buffer.from('dpl-7f3a9c').toString('base64')}`, SECRETS)).toEqual([
      'DEPLOY_TOKEN',
    ]);
    expect(secretsIn('PIN=123', SECRETS)).toEqual([]);
  });

  it('reads the contract’s secret maps, refusing anything but NAME: string', () => {
    expect(decodeSecretMap('{"A":"1","B":"two"}')).toEqual({ A: '1', B: 'two' });
    for (const bad of ['', 'null', '[]', '{"A":1}', '{"A":', '"x"'])
      expect(decodeSecretMap(bad)).toBeUndefined();
  });
});

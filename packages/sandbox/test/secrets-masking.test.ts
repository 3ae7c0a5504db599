import { describe, expect, it } from 'vitest';
import { createSecretMasker, decodeSecretMap, maskDeep } from '@nightshift/protocol';
import { secretsIn } from '../src/secrets/commit-guard.js';
import { StreamedTextMasker } from '../src/secrets/streamed-text.js';
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

describe('masking a streamed reply', () => {
  const secrets = { DEPLOY_TOKEN: 'dpl-7f3a9c' };
  const stream = (deltas: string[]) => {
    const masker = new StreamedTextMasker(secrets, createSecretMasker(secrets));
    const out = deltas.map((d) => masker.delta('p1', d));
    return [...out, ...masker.flush().map((f) => f.delta)];
  };

  it('masks a value split across deltas, losing and repeating no other text', () => {
    const deltas = ['the token is d', 'pl-7f', '3a9c, done. More text ', 'follows here.'];
    const out = stream(deltas);
    expect(out.join('')).toBe('the token is [secret:DEPLOY_TOKEN], done. More text follows here.');
    for (const piece of out) expect(piece).not.toMatch(/dpl|7f3a/);
  });

  it('lets text through at once when there is nothing to mask, and holds only a short tail otherwise', () => {
    expect(new StreamedTextMasker({}, createSecretMasker({})).delta('p', 'all of it')).toBe('all of it');
    const masker = new StreamedTextMasker(secrets, createSecretMasker(secrets));
    const text = 'a long sentence without any secret';
    const now = masker.delta('p', text);
    // At most the longest form of the value, its base64 (16 characters), less one, is held.
    expect(now).toBe(text.slice(0, text.length - 15));
    expect(masker.flush()).toEqual([{ partId: 'p', delta: text.slice(text.length - 15) }]);
  });

  it('holds each part on its own', () => {
    const masker = new StreamedTextMasker(secrets, createSecretMasker(secrets));
    masker.delta('a', 'dpl-7');
    masker.delta('b', 'f3a9c');
    expect(masker.flush().map((f) => f.delta)).toEqual(['dpl-7', 'f3a9c']);
  });
});

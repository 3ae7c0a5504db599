import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  credentialsPath,
  forgetCredential,
  saveCredential,
  storedCredential,
} from '../src/client/credentials.js';
import { chooseToken } from '../src/client/token.js';
import { tempDir } from './support/cli.js';
import { removeDir } from './support/server.js';

const ada = {
  token: 'nst_ada',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  savedAt: '2026-01-01T00:00:00Z',
};

describe('the credentials file', () => {
  const dirs: string[] = [];
  const configHome = () => {
    const dir = tempDir('ns-cli-config-');
    dirs.push(dir);
    return { XDG_CONFIG_HOME: dir };
  };
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/nightshift/credentials.json');
    expect(credentialsPath({ HOME: '/home/ada' })).toBe('/home/ada/.config/nightshift/credentials.json');
  });

  it('keeps one token per server origin, readable by its owner alone, written whole', () => {
    const env = configHome();
    saveCredential(env, 'http://127.0.0.1:7070/', ada);
    saveCredential(env, 'https://nightshift.example.com', { ...ada, token: 'nst_other' });
    const file = credentialsPath(env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    // Nothing half-written is left beside it.
    expect(readdirSync(path.dirname(file))).toEqual(['credentials.json']);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual([
      'http://127.0.0.1:7070',
      'https://nightshift.example.com',
    ]);
    expect(storedCredential(env, 'http://127.0.0.1:7070')?.token).toBe('nst_ada');

    expect(forgetCredential(env, 'http://127.0.0.1:7070')).toBe(true);
    expect(forgetCredential(env, 'http://127.0.0.1:7070')).toBe(false);
    expect(storedCredential(env, 'http://127.0.0.1:7070')).toBeUndefined();
    expect(storedCredential(env, 'https://nightshift.example.com')?.token).toBe('nst_other');
  });

  it('a file that is not ours is named, not overwritten', () => {
    const env = configHome();
    const file = credentialsPath(env);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"http://x": "not a credential"}');
    expect(() => saveCredential(env, 'http://x', ada)).toThrow(
      `${file} is not a Nightshift credentials file`,
    );
    expect(readFileSync(file, 'utf8')).toBe('{"http://x": "not a credential"}');
  });

  it('a token is --token, else NIGHTSHIFT_TOKEN, else the stored one; malformed ones are refused unechoed', () => {
    const env = configHome();
    const url = 'http://127.0.0.1:7070';
    expect(chooseToken(undefined, env, url)).toBeUndefined();
    saveCredential(env, url, ada);
    expect(chooseToken(undefined, env, url)).toEqual({ token: 'nst_ada', source: 'credentials' });
    expect(chooseToken(undefined, { ...env, NIGHTSHIFT_TOKEN: 'nst_env' }, url)).toEqual({
      token: 'nst_env',
      source: 'NIGHTSHIFT_TOKEN',
    });
    expect(chooseToken('nst_flag', { ...env, NIGHTSHIFT_TOKEN: 'nst_env' }, url)?.source).toBe('--token');
    expect(() => chooseToken('nst secret\npart', env, url)).toThrow(/^--token: not an API token/);
    expect(() => chooseToken('nst secret\npart', env, url)).not.toThrow(/secret/);
  });
});

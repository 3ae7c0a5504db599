/**
 * Secrets at rest: the key (given, or generated into the data dir once, private), AES-256-GCM
 * bound to its row, and a database that never holds a value in the clear.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config.js';
import { open, seal, SecretUnreadable } from '../src/secrets/cipher.js';
import { loadSecretKey, SECRET_KEY_FILE } from '../src/secrets/secret-key.js';
import { SecretsService } from '../src/secrets/secret-service.js';
import { startTestServer, tempDir, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { createLogger } from '../src/log.js';

const started: TestServer[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stopAndClean();
});

async function server(dataDir?: string, key?: Buffer): Promise<TestServer> {
  const s = await startTestServer({
    runner: new ScriptedRunner(),
    ...(dataDir ? { dataDir } : {}),
    ...(key ? { secrets: { key } } : {}),
  });
  return s;
}

function serviceOver(s: TestServer, key: Buffer): SecretsService {
  return new SecretsService({ store: s.store, key, repoAllowed: () => true, log: createLogger('silent') });
}

describe('the secret key', () => {
  it('is generated once into the data dir, private to the server, and read again after a restart', () => {
    const dir = tempDir('ns-key-');
    const key = loadSecretKey(null, dir);
    expect(key.length).toBe(32);
    const file = path.join(dir, SECRET_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(null, dir).equals(key)).toBe(true);
  });

  it('refuses a key file others can read, saying so', () => {
    const dir = tempDir('ns-key-');
    loadSecretKey(null, dir);
    chmodSync(path.join(dir, SECRET_KEY_FILE), 0o644);
    expect(() => loadSecretKey(null, dir)).toThrow(ConfigError);
    expect(() => loadSecretKey(null, dir)).toThrow(/readable by others \(mode 644\).*chmod 600/);
  });

  it('takes NIGHTSHIFT_SECRET_KEY or NIGHTSHIFT_SECRET_KEY_FILE, and refuses anything but 32 bytes of base64 in one line naming it', () => {
    const key = randomBytes(32);
    expect(
      resolveConfig({}, { NIGHTSHIFT_SECRET_KEY: key.toString('base64') }).secrets.key?.equals(key),
    ).toBe(true);
    const file = path.join(tempDir('ns-key-'), 'key');
    writeFileSync(file, `${key.toString('base64')}\n`);
    expect(resolveConfig({}, { NIGHTSHIFT_SECRET_KEY_FILE: file }).secrets.key?.equals(key)).toBe(true);
    expect(resolveConfig({}, {}).secrets.key).toBeNull();
    for (const bad of [
      'short',
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      'x'.repeat(44),
    ]) {
      let error: unknown;
      try {
        resolveConfig({}, { NIGHTSHIFT_SECRET_KEY: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^NIGHTSHIFT_SECRET_KEY must be 32 bytes in base64/);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('an invalid NIGHTSHIFT_SECRET_KEY stops the server at start', async () => {
    const previous = process.env.NIGHTSHIFT_SECRET_KEY;
    process.env.NIGHTSHIFT_SECRET_KEY = 'not-a-key';
    try {
      await expect(server()).rejects.toThrow(/NIGHTSHIFT_SECRET_KEY must be 32 bytes/);
    } finally {
      if (previous === undefined) delete process.env.NIGHTSHIFT_SECRET_KEY;
      else process.env.NIGHTSHIFT_SECRET_KEY = previous;
    }
  });
});

describe('sealed values', () => {
  const key = randomBytes(32);
  const slot = { name: 'API_TOKEN', repo: '', scope: 'agent' };

  it('open only in their own row, under their own key', () => {
    const sealed = seal(key, slot, 'the value');
    expect(open(key, slot, sealed)).toBe('the value');
    expect(seal(key, slot, 'the value')).not.toBe(sealed); // a fresh IV every time
    for (const other of [
      { ...slot, name: 'OTHER_TOKEN' },
      { ...slot, repo: '/srv/repo' },
      { ...slot, scope: 'setup' },
    ])
      expect(() => open(key, other, sealed)).toThrow(SecretUnreadable);
    expect(() => open(randomBytes(32), slot, sealed)).toThrow(SecretUnreadable);
    const tampered = Buffer.from(sealed, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, slot, tampered.toString('base64'))).toThrow(SecretUnreadable);
    try {
      open(randomBytes(32), slot, sealed);
    } catch (error) {
      expect((error as Error).message).toContain('API_TOKEN');
      expect((error as Error).message).not.toContain('the value');
    }
  });

  it('never reach the database files in the clear', async () => {
    const s = await server();
    started.push(s);
    const canary = `canary-${randomBytes(16).toString('hex')}`;
    const put = await s.api('PUT', '/api/secrets/CANARY_VALUE', { value: canary });
    expect(put.status).toBe(200);
    const repoPut = await s.api('PUT', '/api/secrets/CANARY_VALUE', { value: canary, repo: '/srv/app' });
    expect(repoPut.status).toBe(200);
    const dbFiles = readdirSync(s.dataDir).filter((f) => f.startsWith('nightshift.db'));
    expect(dbFiles).toContain('nightshift.db');
    const forms = [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('hex')];
    for (const file of dbFiles) {
      const bytes = readFileSync(path.join(s.dataDir, file)).toString('latin1');
      for (const form of forms) expect(bytes, file).not.toContain(form);
    }
    // The rows are there, sealed: the server itself opens them for a sandbox.
    const values = await serviceOver(s, loadSecretKey(null, s.dataDir)).valuesForRepository('/srv/app');
    expect(values.agent).toEqual({ CANARY_VALUE: canary });
  });

  it('a ciphertext moved to another row fails to open, naming the secret only', async () => {
    const s = await server();
    started.push(s);
    await s.api('PUT', '/api/secrets/FIRST_TOKEN', { value: 'first-value' });
    await s.api('PUT', '/api/secrets/SECOND_TOKEN', { value: 'second-value' });
    const [first, second] = await s.store.secrets.list('');
    await s.store.secrets.put({ ...first!, sealed: second!.sealed });
    const service = serviceOver(s, loadSecretKey(null, s.dataDir));
    const error = await service.valuesForRepository('/srv/app').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretUnreadable);
    expect(String(error)).toMatch(/secret FIRST_TOKEN cannot be decrypted/);
    expect(String(error)).not.toMatch(/first-value|second-value/);
  });

  it('under another key: the server starts and lists names, and says which secret cannot be opened', async () => {
    const dataDir = tempDir('ns-data-');
    const first = await server(dataDir, randomBytes(32));
    await first.api('PUT', '/api/secrets/OLD_TOKEN', { value: 'old-value' });
    await first.close();
    const otherKey = randomBytes(32);
    const second = await server(dataDir, otherKey);
    started.push(second);
    const listed = await second.api<{ secrets: Array<{ name: string }> }>('GET', '/api/secrets');
    expect(listed.body.secrets.map((x) => x.name)).toEqual(['OLD_TOKEN']);
    await expect(serviceOver(second, otherKey).valuesForRepository('/srv/app')).rejects.toThrow(
      /secret OLD_TOKEN cannot be decrypted with this server's NIGHTSHIFT_SECRET_KEY/,
    );
  });
});

/**
 * AES-256-GCM for secret values at rest. Each value gets its own random 96-bit IV, and the row it
 * belongs to (name, repository, scope) is the additional authenticated data: a sealed value
 * copied into another row, or a row whose scope was changed behind the server's back, no longer
 * opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed value is bound to. */
export interface SecretSlot {
  name: string;
  /** '' for a global secret. */
  repo: string;
  scope: string;
}

/** base64 of iv ‖ tag ‖ ciphertext. */
export function seal(key: Buffer, slot: SecretSlot, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(slot));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** The value, or `SecretUnreadable` when the key is another or the sealed text was tampered with. */
export function open(key: Buffer, slot: SecretSlot, sealed: string): string {
  const blob = Buffer.from(sealed, 'base64');
  if (blob.length < IV_BYTES + TAG_BYTES) throw new SecretUnreadable(slot.name);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
    decipher.setAAD(additionalData(slot));
    decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretUnreadable(slot.name);
  }
}

function additionalData(slot: SecretSlot): Buffer {
  return Buffer.from(JSON.stringify(['nightshift-secret-v1', slot.name, slot.repo, slot.scope]));
}

/** A stored secret that does not open with this server's key. Its message names the secret only. */
export class SecretUnreadable extends Error {
  constructor(readonly secretName: string) {
    super(
      `secret ${secretName} cannot be decrypted with this server's NIGHTSHIFT_SECRET_KEY (it was stored under another key, or altered); set it again`,
    );
    this.name = 'SecretUnreadable';
  }
}

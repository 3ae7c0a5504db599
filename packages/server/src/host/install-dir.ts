import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root of this Nightshift install, which sandboxes mount read-only to run the
 * supervisor. dist/ mirrors src/ at the same depth, so this holds compiled too.
 */
export const INSTALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

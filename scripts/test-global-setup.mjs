// Tests load the packages from their TypeScript sources, but the sandboxes and the `nightshift`
// subprocesses they start run the compiled dist/: bring it up to date once before any test.
import { ensureBuilt } from './build.mjs';

export default async function setup() {
  await ensureBuilt();
}

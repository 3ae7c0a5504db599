#!/usr/bin/env node
// Thin launcher: compiles the TypeScript packages when a source changed since the last build (a
// fraction of a second, see scripts/build.mjs), then runs the CLI on plain Node.
import { ensureBuilt } from '../../../scripts/build.mjs';

await ensureBuilt();
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));

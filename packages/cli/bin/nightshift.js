#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, run through tsx's loader so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));

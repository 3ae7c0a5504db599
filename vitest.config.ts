import path from 'node:path';
import { defineConfig } from 'vitest/config';

const packages = ['protocol', 'client', 'testkit', 'server', 'sandbox', 'cli'];

export default defineConfig({
  resolve: {
    // Tests run the sources; the packages' exports point at the compiled dist/ for plain Node.
    alias: Object.fromEntries(
      packages.map((name) => [
        `@nightshift/${name}`,
        path.resolve(import.meta.dirname, 'packages', name, 'src', 'index.ts'),
      ]),
    ),
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/test/**/*.test.tsx', 'test/**/*.test.ts'],
    globalSetup: ['scripts/test-global-setup.mjs'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration tests spawn servers, git and OpenCode; keep parallelism modest.
    maxWorkers: 2,
  },
});

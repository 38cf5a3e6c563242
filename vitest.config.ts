import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['engine/**/*.ts', 'reports/**/*.ts'],
      exclude: ['engine/cli/main.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'engine/kernel/**': { lines: 90, branches: 85, functions: 90 },
      },
    },
  },
});

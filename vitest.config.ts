import { defineConfig } from 'vitest/config';

/**
 * Two layers. unit: the specs next to the code (src/), reading only the repository (test/fixtures); they run from a
 * fresh clone. e2e: test/, the built CLI (`npm run build` first), the shared material beside the clone (../shared:
 * vulndata, the full peer fixtures) and the test images; these specs say on stderr when they skip and why, and fail
 * instead of skipping in CI. `npx vitest run --project unit` runs the first layer alone.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.spec.ts'] } },
    ],
  },
});

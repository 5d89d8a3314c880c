import { defineConfig } from 'vitest/config';

// Six tiers, one `npm test`. The helm tier renders and lints the chart with the pinned helm
// binary (built by test/cluster/build-helm.sh, which .ci/run runs); the cluster tier starts a
// real kube-apiserver + etcd once (globalSetup); the e2e tier drives Debian's Chromium; the
// postgres tier starts a real PostgreSQL server (Debian's package) once. Each
// tier that lacks its prerequisites says so loudly and skips, except in CI (test/helpers/ci.ts)
// where it fails.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'conformance', include: ['test/conformance/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'helm', include: ['test/helm/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, fileParallelism: false } },
      {
        test: {
          name: 'postgres',
          include: ['test/postgres/**/*.test.ts'],
          globalSetup: ['test/postgres/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const root = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const services = ['gateway', 'auth', 'invoice', 'query', 'analytics', 'notification'];

// Tests run against the TypeScript sources: workspace imports resolve to `src/`, not `dist/`.
const alias = [
  { find: /^@fiscal\/cfdi$/, replacement: root('./packages/cfdi/src/index.ts') },
  { find: /^@fiscal\/cfdi\/generator$/, replacement: root('./packages/cfdi/src/generator/index.ts') },
  { find: /^@fiscal\/contracts$/, replacement: root('./packages/contracts/src/index.ts') },
  { find: /^@fiscal\/contracts\/(.*)$/, replacement: root('./packages/contracts/src/$1/index.ts') },
  { find: /^@fiscal\/kit\/(.*)$/, replacement: root('./packages/kit/src/$1/index.ts') },
  { find: /^@fiscal\/invoice\/settings$/, replacement: root('./services/invoice/src/settings.ts') },
  ...services.map((name) => ({
    find: new RegExp(`^@fiscal/${name}$`),
    replacement: root(`./services/${name}/src/main.ts`),
  })),
];

// Tests beside the code. `unit` never leaves the test's process: no database (PGlite included),
// broker, cache or child process; a server it starts itself on loopback is fine. A test that needs
// more is named `*.integration.test.ts` and runs in `integration`. `e2e` runs the platform.
const sources = ['packages/*/src', 'services/*/src', 'apps/*/src'];

// `expect.poll` waits this long for a condition: engines on a busy machine are slow to get there.
const eventually = { timeout: 15_000, interval: 10 };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: sources.map((folder) => `${folder}/**/*.test.ts`),
          exclude: [...configDefaults.exclude, '**/*.integration.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 60_000,
          expect: { poll: eventually },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: sources.map((folder) => `${folder}/**/*.integration.test.ts`),
          testTimeout: 20_000,
          hookTimeout: 60_000,
          expect: { poll: eventually },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          expect: { poll: eventually },
          fileParallelism: false,
        },
      },
    ],
  },
});

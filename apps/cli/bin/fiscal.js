#!/usr/bin/env node
// The command is compiled TypeScript: in a checkout nothing is compiled until `npm run build`.
// Said in one line instead of a module-not-found stack trace.
try {
  await import('../dist/main.js');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && /[\\/]dist[\\/]/.test(String(error.message));
  if (!missing) throw error;
  console.error('fiscal: not built yet; run `npm run build` first (or `npm start`, which builds and starts)');
  process.exitCode = 1;
}

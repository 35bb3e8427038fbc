import { runAuthStoreConformance } from './auth-store-conformance.js';
import { createMemoryAuthStore } from './memory-auth-store.js';

runAuthStoreConformance({
  adapter: 'memory',
  async open() {
    const store = createMemoryAuthStore();
    return { store, committedEvents: async () => [...store.events] };
  },
});

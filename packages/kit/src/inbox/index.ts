export { handleBatchOnce, handleOnce, type InboxSchema, inboxMigrations } from './inbox.js';

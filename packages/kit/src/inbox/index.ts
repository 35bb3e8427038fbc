export { handleBatchOnce, handleOnce, type InboxSchema, inboxMigrations, pruneInbox } from './inbox.js';

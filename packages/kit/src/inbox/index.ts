export { handleOnce, type InboxSchema, inboxMigrations } from './inbox.js';

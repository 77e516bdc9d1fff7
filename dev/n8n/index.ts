/**
 * A real n8n, one pinned version per major (1.x on Node 22, 2.x on Node 24), brought in as
 * registry packages: installed into .cache/ (install.ts), started on a free port (process.ts) and
 * driven over its REST API (restClient.ts). Used by `npm run dev`, the screenshots and the
 * end-to-end tests.
 *
 * Only node: built-ins here, plus what n8n's own install provides (flatted, bcryptjs, loaded with
 * createRequire from it), so the package gains no dependency for this.
 */
export { ensureN8nInstalled, installCommunityPackage } from './install';
export type { N8nMajor } from './install';
export { OWNER } from './owner';
export { packPackage } from './pack';
export { startN8n } from './process';
export type { RunningN8n } from './runningN8n';
export { N8nRestClient } from './restClient';
export { startQueueCluster } from './queueMode';
export type { QueueBinaryDataMode, QueueCluster } from './queueMode';

/**
 * A real n8n, one pinned version per major (1.x on Node 22, 2.x on Node 24): installed into
 * .cache/, started on a free port and driven over its REST API. Used by `npm run dev`, the
 * screenshots and the end-to-end tests.
 */
export {
	N8nRestClient,
	N8nRestError,
	OWNER,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
} from './install';
export type { N8nInstall, N8nMajor, RunningN8n } from './install';

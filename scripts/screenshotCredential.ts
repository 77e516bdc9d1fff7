import type { DevEnvironment } from '../dev/devEnvironment';
import {
	addHostsBlock,
	makeThrowawayCa,
	serverCredentials,
	startVendorFront,
} from '../dev/vendorHosts';

/**
 * The credential in the README's picture: a Model Studio workspace in Frankfurt, so the form
 * shows the Workspace ID and Workspace Region fields. Opening it makes n8n test it at
 * `{workspace}.eu-central-1.maas.aliyuncs.com`, which answers here: n8n is started trusting a
 * throwaway CA (`n8nEnv`), and while the picture is taken a marked /etc/hosts block sends the
 * name to a TLS front on 127.0.0.1:443 that hands the test to the emulator (dev/vendorHosts;
 * needs root and openssl). The credential is deleted again at the end.
 */
const WORKSPACE_ID = 'ws-756pfhanyfvqhdkw';
const WORKSPACE_REGION = 'eu-central-1';
const HOST = `${WORKSPACE_ID}.${WORKSPACE_REGION}.maas.aliyuncs.com`;
export const WORKSPACE_CREDENTIAL_NAME = 'HappyHorse (Model Studio workspace, Frankfurt)';

/** The CA n8n must trust from its start: `n8nEnv` for startDevEnvironment. */
export function workspaceStandInCa() {
	const ca = makeThrowawayCa([HOST]);
	return { ca, n8nEnv: { NODE_EXTRA_CA_CERTS: ca.caFile, HTTPS_PROXY: '', https_proxy: '' } };
}

/** Serves the workspace's domain and saves the credential; `stop()` undoes both. */
export async function startWorkspaceStandIn(
	dev: DevEnvironment,
	ca: ReturnType<typeof makeThrowawayCa>,
	log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
	const hosts = addHostsBlock([HOST]);
	const front = await startVendorFront({
		...serverCredentials(ca),
		routes: { [HOST]: { target: dev.emulator.origin } },
		log,
	}).catch((error: unknown) => {
		hosts.remove();
		throw error;
	});
	const existing = (
		(await dev.client.request('GET', '/rest/credentials')).data as Array<{
			id: string;
			name: string;
		}>
	).filter((credential) => credential.name === WORKSPACE_CREDENTIAL_NAME);
	for (const { id } of existing) await dev.client.request('DELETE', `/rest/credentials/${id}`);
	const { id } = await dev.client.createCredential(WORKSPACE_CREDENTIAL_NAME, 'happyHorseApi', {
		apiKey: dev.emulator.apiKey,
		endpoint: 'modelStudioWorkspace',
		workspaceId: WORKSPACE_ID,
		workspaceRegion: WORKSPACE_REGION,
	});
	return {
		stop: async () => {
			await dev.client.request('DELETE', `/rest/credentials/${id}`).catch(() => undefined);
			await front.stop();
			hosts.remove();
		},
	};
}

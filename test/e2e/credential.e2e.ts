import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HappyHorseEmulator } from '../../dev/emulator';
import type { N8nMajor, RunningN8n } from '../../dev/n8n';
import {
	N8nRestClient,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
	packPackage,
} from '../../dev/n8n';
import type { VendorFront } from '../../dev/vendorHosts';
import {
	addHostsBlock,
	makeThrowawayCa,
	serverCredentials,
	startVendorFront,
} from '../../dev/vendorHosts';

/**
 * The Model Studio workspace credential in real n8n: the form n8n serves the editor, and n8n's
 * own credential test against the workspace's own domain. n8n is started trusting a throwaway
 * CA (NODE_EXTRA_CA_CERTS, read at its start); while a test runs, a marked /etc/hosts block maps
 * the workspace's names to 127.0.0.1, where a TLS front with that CA's certificate records each
 * request and hands it to the emulator. Needs root and openssl (see dev/vendorHosts).
 */

const MAJORS = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',') as N8nMajor[];
const log = (line: string) => process.stderr.write(`${line}\n`);

const WORKSPACE_ID = 'llm-k4l6h7dcie932cqo';
const REGIONS = ['ap-southeast-1', 'eu-central-1', 'cn-beijing'];
const hostOf = (region: string) => `${WORKSPACE_ID}.${region}.maas.aliyuncs.com`;
const workspaceOnly = { show: { endpoint: ['modelStudioWorkspace'] } };

let tarball: string;

beforeAll(() => {
	tarball = packPackage();
});

describe.each(MAJORS)('n8n %s.x: the Model Studio workspace credential', (major) => {
	const emulator = new HappyHorseEmulator();
	const ca = makeThrowawayCa(REGIONS.map(hostOf));
	let n8n: RunningN8n;
	let client: N8nRestClient;

	beforeAll(async () => {
		const install = await ensureN8nInstalled(major, log);
		const userFolder = mkdtempSync(join(tmpdir(), `happyhorse-credential-n8n${major}-`));
		await installCommunityPackage(userFolder, tarball, log);
		await emulator.start();
		// Only this n8n trusts the CA; a proxy would get the names instead of the hosts block.
		const env = { NODE_EXTRA_CA_CERTS: ca.caFile, HTTPS_PROXY: '', https_proxy: '' };
		n8n = await startN8n({ install, userFolder, log, env });
		client = await N8nRestClient.login(n8n);
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator.stop();
		ca.remove();
	});

	beforeEach(() => emulator.reset());

	test('n8n serves the form: Workspace ID and Workspace Region, shown for the workspace variant', async () => {
		const types: Array<{ name: string; properties: Array<Record<string, any>> }> =
			await client.request('GET', '/types/credentials.json');
		const credential = types.find((type) => type.name === 'happyHorseApi');
		const field = (name: string) =>
			credential?.properties.find((property) => property.name === name);
		expect(field('endpoint')?.options).toContainEqual(
			expect.objectContaining({
				name: 'Model Studio Workspace (Singapore, Frankfurt, Beijing)',
				value: 'modelStudioWorkspace',
			}),
		);
		expect(field('workspaceId')).toMatchObject({
			displayName: 'Workspace ID',
			type: 'string',
			required: true,
			displayOptions: workspaceOnly,
		});
		expect(field('workspaceRegion')).toMatchObject({
			displayName: 'Workspace Region',
			type: 'options',
			default: 'ap-southeast-1',
			displayOptions: workspaceOnly,
		});
		expect(
			field('workspaceRegion')?.options.map((option: { value: string }) => option.value),
		).toEqual(REGIONS);
	});

	describe('at the workspace domains on loopback', () => {
		let front: VendorFront;
		let hosts: { remove(): void };

		beforeAll(async () => {
			hosts = addHostsBlock(REGIONS.map(hostOf));
			front = await startVendorFront({
				...serverCredentials(ca),
				routes: Object.fromEntries(
					REGIONS.map((region) => [hostOf(region), { target: emulator.origin }]),
				),
				log,
			});
		});

		afterAll(async () => {
			await front?.stop();
			hosts?.remove();
		});

		beforeEach(() => (front.requests.length = 0));

		test.each(REGIONS)(
			"n8n's own credential test asks the %s workspace domain: a good key passes, another region's fails",
			async (workspaceRegion) => {
				const data = {
					endpoint: 'modelStudioWorkspace',
					workspaceId: WORKSPACE_ID,
					workspaceRegion,
				};
				const name = `HappyHorse workspace ${workspaceRegion}`;
				const { id } = await client.createCredential(name, 'happyHorseApi', {
					apiKey: emulator.apiKey,
					...data,
				});
				const test = (apiKey: string) =>
					client.testCredential({ id, name, type: 'happyHorseApi', data: { apiKey, ...data } });
				expect(await test(emulator.apiKey)).toMatchObject({ status: 'OK' });
				expect(await test('sk-other-region')).toMatchObject({ status: 'Error' });
				const seen = front.requests.map((request) => ({
					servername: request.servername,
					url: `${request.method} https://${request.host}${request.path}`,
					authorization: request.headers.authorization,
					workspaceHeader: request.headers['x-dashscope-workspace'],
				}));
				const at = {
					servername: hostOf(workspaceRegion),
					url: `GET https://${hostOf(workspaceRegion)}/api/v1/tasks/n8n-credential-test`,
					workspaceHeader: undefined,
				};
				// n8n may try a failing test request more than once.
				expect(seen[0]).toEqual({ ...at, authorization: `Bearer ${emulator.apiKey}` });
				expect(seen.length).toBeGreaterThan(1);
				for (const request of seen.slice(1)) {
					expect(request).toEqual({ ...at, authorization: 'Bearer sk-other-region' });
				}
			},
		);

		test("n8n's own credential test of a workspace id that is no host name fails and sends nothing", async () => {
			const data = {
				endpoint: 'modelStudioWorkspace',
				workspaceId: 'ws-1.evil.example',
				workspaceRegion: 'eu-central-1',
			};
			const { id } = await client.createCredential('HappyHorse bad workspace', 'happyHorseApi', {
				apiKey: emulator.apiKey,
				...data,
			});
			const result = await client.testCredential({
				id,
				name: 'HappyHorse bad workspace',
				type: 'happyHorseApi',
				data: { apiKey: emulator.apiKey, ...data },
			});
			expect(result.status).toBe('Error');
			expect(front.requests).toEqual([]);
			expect(emulator.requests).toEqual([]);
		});
	});
});

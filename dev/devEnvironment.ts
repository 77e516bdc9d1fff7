import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { HappyHorseEmulator } from './emulator';
import type { WorkflowJson } from './examples';
import { loadExamples, placeExampleInputs, pointAtEmulator } from './examples';
import { mediaFixture, repoRoot } from './paths';
import type { RunningN8n } from './n8n';
import { N8nRestClient, ensureN8nInstalled, installCommunityPackage, startN8n } from './n8n';

/**
 * The package inside a real n8n 2.x, with the HappyHorse emulator as its API, a ready
 * credential and the example workflows: what `npm run dev` and the screenshots start. Nothing
 * leaves this machine; no API key is needed. The n8n install and the user folder are kept in
 * .cache/, so a second start takes seconds and keeps what was built in the editor.
 */

const REPO = repoRoot();
const DEV_DIR = join(REPO, '.cache', 'dev');
export const DEV_CREDENTIAL_NAME = 'HappyHorse (local emulator)';

function packPackage(log: (line: string) => void): string {
	log('Building and packing the package…');
	execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'ignore' });
	const packDir = join(DEV_DIR, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	mkdirSync(packDir, { recursive: true });
	execFileSync('npm', ['pack', '--pack-destination', packDir], { cwd: REPO, stdio: 'ignore' });
	const [tarball] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
	return join(packDir, tarball);
}

/** Creates the emulator credential, or points the existing one at this run's emulator. */
async function ensureCredential(client: N8nRestClient, emulator: HappyHorseEmulator) {
	const data = {
		apiKey: emulator.apiKey,
		endpoint: 'custom',
		baseUrl: emulator.nativeBaseUrl,
		apiFormat: 'native',
	};
	const existing = (
		(await client.request('GET', '/rest/credentials')).data as Array<{
			id: string;
			name: string;
		}>
	).find((credential) => credential.name === DEV_CREDENTIAL_NAME);
	if (existing) {
		await client.request('PATCH', `/rest/credentials/${existing.id}`, {
			name: DEV_CREDENTIAL_NAME,
			type: 'happyHorseApi',
			data,
		});
		return { id: existing.id, name: DEV_CREDENTIAL_NAME };
	}
	const { id } = await client.createCredential(DEV_CREDENTIAL_NAME, 'happyHorseApi', data);
	return { id, name: DEV_CREDENTIAL_NAME };
}

/**
 * Imports each example once (by name), pointed at the emulator. One imported earlier is
 * pointed at this run's emulator again, since its port may differ; edits to it are kept
 * apart from the URLs.
 */
async function importExamples(
	client: N8nRestClient,
	emulator: HappyHorseEmulator,
	credential: { id: string; name: string },
	outputDir: string,
	log: (line: string) => void,
): Promise<string[]> {
	const existing = new Map(
		(
			(await client.request('GET', '/rest/workflows')).data as Array<{ id: string; name: string }>
		).map((workflow) => [workflow.name, workflow.id]),
	);
	const imported: string[] = [];
	for (const { workflow } of loadExamples()) {
		const pointed = pointAtEmulator(workflow, {
			emulatorOrigin: emulator.origin,
			credential,
			outputDir,
			pollInterval: 2,
		});
		const id = existing.get(workflow.name);
		if (id === undefined) {
			await client.createWorkflow(pointed);
			imported.push(workflow.name);
			continue;
		}
		try {
			const stored = (await client.request('GET', `/rest/workflows/${id}`)).data as {
				nodes: WorkflowJson['nodes'];
				versionId?: string;
			};
			const nodes = repointEmulatorUrls(stored.nodes, emulator.origin);
			await client.request('PATCH', `/rest/workflows/${id}`, {
				nodes,
				versionId: stored.versionId,
			});
		} catch (error) {
			log(`Could not point "${workflow.name}" at this emulator: ${(error as Error).message}`);
		}
	}
	return imported;
}

/** Replaces the origin of emulator URLs (any 127.0.0.1 port) in string parameters. */
function repointEmulatorUrls(nodes: WorkflowJson['nodes'], origin: string): WorkflowJson['nodes'] {
	return JSON.parse(
		JSON.stringify(nodes).replace(/http:\/\/127\.0\.0\.1:\d+\/samples\//g, `${origin}/samples/`),
	) as WorkflowJson['nodes'];
}

export interface DevEnvironment {
	n8n: RunningN8n;
	emulator: HappyHorseEmulator;
	client: N8nRestClient;
	credential: { id: string; name: string };
	outputDir: string;
	imported: string[];
	stop(): Promise<void>;
}

export async function startDevEnvironment(options: {
	n8nPort: number;
	emulatorPort: number;
	log: (line: string) => void;
}): Promise<DevEnvironment> {
	const { log } = options;
	mkdirSync(DEV_DIR, { recursive: true });
	const tarball = packPackage(log);

	const install = await ensureN8nInstalled('2', log);
	const userFolder = join(DEV_DIR, 'n8n-user');
	mkdirSync(userFolder, { recursive: true });
	log('Installing the package into n8n the way Community Nodes does…');
	await installCommunityPackage(userFolder, tarball, log);

	const emulator = new HappyHorseEmulator();
	// Results are a real (tiny, blue, 4 s) H.264 clip, so the file a demo run writes plays.
	const sampleVideo = readFileSync(mediaFixture('good.mp4'));
	emulator.taskScript = () => ({ videoBytes: sampleVideo });
	await emulator.start(options.emulatorPort);
	log(`HappyHorse emulator (both API formats) on ${emulator.origin}`);

	const n8n = await startN8n({ install, userFolder, port: options.n8nPort, log });
	const client = await N8nRestClient.login(n8n);
	const credential = await ensureCredential(client, emulator);
	const outputDir = join(userFolder, 'output');
	mkdirSync(outputDir, { recursive: true });
	placeExampleInputs(outputDir);
	const imported = await importExamples(client, emulator, credential, outputDir, log);
	return {
		n8n,
		emulator,
		client,
		credential,
		outputDir,
		imported,
		stop: async () => {
			await n8n.stop();
			await emulator.stop();
		},
	};
}

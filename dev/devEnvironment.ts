import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	appendFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

import { EventBridgeSigner, HappyHorseEmulator } from './emulator';
import type { WorkflowJson } from './examples';
import {
	HAPPY_HORSE_TRIGGER_TYPE,
	ensureTasksTable,
	loadExamples,
	placeExampleInputs,
	pointAtEmulator,
} from './examples';
import { mediaFixture, repoRoot } from './paths';
import type { RunningN8n } from './n8n';
import { N8nRestClient, ensureN8nInstalled, installCommunityPackage, startN8n } from './n8n';
import { ScriptedChatCompletionsServer } from './scriptedChatCompletions';

/**
 * The package inside a real n8n 2.x, with the HappyHorse emulator as its API, a ready
 * credential and the example workflows: what `npm run dev` and the screenshots start. Nothing
 * leaves this machine; no API key is needed. The n8n install and the user folder are kept in
 * .cache/, so a second start takes seconds and keeps what was built in the editor.
 */

const REPO = repoRoot();
const DEV_DIR = join(REPO, '.cache', 'dev');
export const DEV_CREDENTIAL_NAME = 'HappyHorse (local emulator)';
export const DEV_CHAT_MODEL_CREDENTIAL_NAME = 'OpenAI (scripted local model, no key)';
/** n8n's own output, and the package install's, during `npm run dev`. */
export const DEV_LOG_FILE = join(DEV_DIR, 'dev.log');
/** How long a task of the dev emulator runs. */
const DEV_TASK_MS = 4_000;

/** The one build of a dev start (the npm scripts do not build first), then the tarball. */
function packPackage(log: (line: string) => void): string {
	const started = Date.now();
	log('Building and packing the package…');
	execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'ignore' });
	const packDir = join(DEV_DIR, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	mkdirSync(packDir, { recursive: true });
	execFileSync('npm', ['pack', '--pack-destination', packDir], { cwd: REPO, stdio: 'ignore' });
	const [tarball] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
	log(`  built and packed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return join(packDir, tarball);
}

/** What the package is built from: the same hash as the installed package's means nothing to redo. */
const PACKAGE_SOURCES = [
	'package.json',
	'index.js',
	'gulpfile.js',
	'tsconfig.json',
	'tsconfig.build.json',
];
const PACKAGE_SOURCE_DIRS = ['nodes', 'credentials'];

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
	);
}

function packageSourceHash(): string {
	const files = [
		...PACKAGE_SOURCES.map((file) => join(REPO, file)),
		...PACKAGE_SOURCE_DIRS.flatMap((dir) => filesUnder(join(REPO, dir))),
	].sort();
	const hash = createHash('sha256');
	for (const file of files) hash.update(`${relative(REPO, file)}\0`).update(readFileSync(file));
	return hash.digest('hex');
}

/**
 * Builds, packs and installs the package into the dev n8n's user folder, unless the package
 * installed there was built from these very sources (a second start then skips ~15 s of work).
 */
async function ensurePackageInstalled(
	userFolder: string,
	log: (line: string) => void,
	installerLog: (line: string) => void,
): Promise<void> {
	const stampFile = join(DEV_DIR, 'installed-package.sha256');
	const installed = join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-happyhorse');
	const sources = packageSourceHash();
	const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
	if (stamp === sources && existsSync(join(installed, 'package.json'))) {
		log('The package is unchanged since the last start: reusing its install in n8n');
		return;
	}
	rmSync(stampFile, { force: true });
	const tarball = packPackage(log);
	log('Installing the package into n8n the way Community Nodes does…');
	await installCommunityPackage(userFolder, tarball, installerLog);
	writeFileSync(stampFile, `${sources}\n`);
}

/** Creates the scripted chat model's OpenAI credential, or points the existing one at it. */
async function ensureChatModelCredential(
	client: N8nRestClient,
	chatModel: ScriptedChatCompletionsServer,
) {
	const data = { apiKey: chatModel.apiKey, url: chatModel.baseUrl };
	const name = DEV_CHAT_MODEL_CREDENTIAL_NAME;
	const existing = (
		(await client.request('GET', '/rest/credentials')).data as Array<{ id: string; name: string }>
	).find((credential) => credential.name === name);
	if (existing) {
		await client.request('PATCH', `/rest/credentials/${existing.id}`, {
			name,
			type: 'openAiApi',
			data,
		});
		return { id: existing.id, name };
	}
	const { id } = await client.createCredential(name, 'openAiApi', data);
	return { id, name };
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
	credentials: {
		happyHorse: { id: string; name: string };
		chatModel: { id: string; name: string };
	},
	outputDir: string,
	dataTableId: string,
	log: (line: string) => void,
): Promise<{ imported: string[]; workflows: DevExample[] }> {
	const existing = new Map(
		(
			(await client.request('GET', '/rest/workflows')).data as Array<{ id: string; name: string }>
		).map((workflow) => [workflow.name, workflow.id]),
	);
	const imported: string[] = [];
	const workflows: DevExample[] = [];
	for (const { file, workflow } of loadExamples()) {
		const pointed = pointAtEmulator(workflow, {
			emulatorOrigin: emulator.origin,
			credential: credentials.happyHorse,
			chatModelCredential: credentials.chatModel,
			outputDir,
			pollInterval: 2,
			dataTableId,
			// Nothing serves EventBridge's certificate host here (docs/TRIGGER.md, "Locally").
			verifySignature: false,
		});
		const id = existing.get(workflow.name);
		if (id === undefined) {
			const created = await client.createWorkflow(pointed);
			imported.push(workflow.name);
			workflows.push({ file, name: workflow.name, id: created.id });
			continue;
		}
		workflows.push({ file, name: workflow.name, id });
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
	return { imported, workflows };
}

/**
 * Activates the trigger example and has the emulator push a signed task-finished event to its
 * production URL whenever a task ends, as an EventBridge rule would (docs/TRIGGER.md, "Locally").
 */
async function activateTriggerExample(
	client: N8nRestClient,
	emulator: HappyHorseEmulator,
	examples: DevExample[],
	log: (line: string) => void,
): Promise<string | undefined> {
	for (const example of examples) {
		const stored = (await client.request('GET', `/rest/workflows/${example.id}`)).data as {
			nodes: WorkflowJson['nodes'];
			versionId?: string;
			active?: boolean;
		};
		const trigger = stored.nodes.find((node) => node.type === HAPPY_HORSE_TRIGGER_TYPE);
		if (!trigger) continue;
		try {
			if (!stored.active) {
				await client.request('POST', `/rest/workflows/${example.id}/activate`, {
					versionId: stored.versionId,
				});
			}
		} catch (error) {
			log(`Could not activate "${example.name}": ${(error as Error).message}`);
			return undefined;
		}
		const settings = await client.request('GET', '/rest/settings');
		const url = `${settings.data.urlBaseWebhook}webhook/${String(trigger.webhookId)}/webhook`;
		emulator.events.configure({
			url,
			signer: new EventBridgeSigner(),
			certificateUrl:
				'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/x509_public_certificate.pem',
			delayMs: 500,
			retries: 3,
			retryDelayMs: 2_000,
		});
		return url;
	}
	return undefined;
}

/** Replaces the origin of emulator URLs (any 127.0.0.1 port) in string parameters. */
function repointEmulatorUrls(nodes: WorkflowJson['nodes'], origin: string): WorkflowJson['nodes'] {
	return JSON.parse(
		JSON.stringify(nodes).replace(/http:\/\/127\.0\.0\.1:\d+\/samples\//g, `${origin}/samples/`),
	) as WorkflowJson['nodes'];
}

/** An example workflow as saved in the dev n8n: open it at `<n8n>/workflow/<id>`. */
interface DevExample {
	file: string;
	name: string;
	id: string;
}

export interface DevEnvironment {
	n8n: RunningN8n;
	emulator: HappyHorseEmulator;
	/** The agent example's language model: scripted, local, no key. */
	chatModel: ScriptedChatCompletionsServer;
	client: N8nRestClient;
	credential: { id: string; name: string };
	outputDir: string;
	imported: string[];
	/** Every example, in examples/ order, with its id in this n8n. */
	examples: DevExample[];
	/** The trigger example's production URL, where the emulator pushes its task-finished events. */
	triggerUrl?: string;
	stop(): Promise<void>;
}

export async function startDevEnvironment(options: {
	n8nPort: number;
	emulatorPort: number;
	/** The scripted chat-completions server's port; a free one when not given. */
	chatModelPort?: number;
	/** More environment for n8n, e.g. NODE_EXTRA_CA_CERTS (read at its start only). */
	n8nEnv?: Record<string, string>;
	log: (line: string) => void;
}): Promise<DevEnvironment> {
	const { log } = options;
	mkdirSync(DEV_DIR, { recursive: true });
	writeFileSync(DEV_LOG_FILE, `${new Date().toISOString()} npm run dev\n`);
	const toLogFile = (line: string) => appendFileSync(DEV_LOG_FILE, `${line}\n`);
	const install = await ensureN8nInstalled('2', log);
	const userFolder = join(DEV_DIR, 'n8n-user');
	mkdirSync(userFolder, { recursive: true });
	await ensurePackageInstalled(userFolder, log, toLogFile);

	const emulator = new HappyHorseEmulator();
	// Results are a real (tiny, blue, 4 s) H.264 clip, so the file a demo run writes plays.
	const sampleVideo = readFileSync(mediaFixture('good.mp4'));
	// Tasks end by the clock, so that the emulator can push their events to the trigger example.
	emulator.taskScript = () => ({ videoBytes: sampleVideo, durationMs: DEV_TASK_MS });
	await emulator.start(options.emulatorPort);
	log(`HappyHorse emulator (both API formats) on ${emulator.origin}`);
	const chatModel = new ScriptedChatCompletionsServer();
	await chatModel.start(options.chatModelPort);
	log(
		`Scripted OpenAI chat-completions server (the agent example's model) on ${chatModel.baseUrl}`,
	);

	const n8n = await startN8n({
		install,
		userFolder,
		port: options.n8nPort,
		// n8n's own output (the lines startN8n forwards as "[n8n 2] …") goes to the file.
		log: (line) => (line.startsWith('[n8n ') ? toLogFile : log)(line),
		// Node keeps the code it compiled for n8n's thousands of modules here, so later starts skip
		// compiling them again (Node 22.1+, module.enableCompileCache).
		env: { NODE_COMPILE_CACHE: join(DEV_DIR, 'node-compile-cache'), ...options.n8nEnv },
	});
	const client = await N8nRestClient.login(n8n);
	const credential = await ensureCredential(client, emulator);
	const chatModelCredential = await ensureChatModelCredential(client, chatModel);
	const outputDir = join(userFolder, 'output');
	mkdirSync(outputDir, { recursive: true });
	placeExampleInputs(outputDir);
	const { imported, workflows } = await importExamples(
		client,
		emulator,
		{ happyHorse: credential, chatModel: chatModelCredential },
		outputDir,
		await ensureTasksTable(client),
		log,
	);
	const triggerUrl = await activateTriggerExample(client, emulator, workflows, log);
	return {
		n8n,
		emulator,
		chatModel,
		client,
		credential,
		outputDir,
		imported,
		examples: workflows,
		triggerUrl,
		stop: async () => {
			await n8n.stop();
			await emulator.stop();
			await chatModel.stop();
		},
	};
}

import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WorkflowJson } from '../../dev/examples';
import {
	createTasksTable,
	loadExamples,
	pointAtEmulator,
	triggerNodeName,
} from '../../dev/examples';
import type { EventBridgeCertificateHost } from '../../dev/eventBridgeHost';
import { startEventBridgeCertificateHost } from '../../dev/eventBridgeHost';
import { EventBridgeSigner, HappyHorseEmulator, taskFinishedEvent } from '../../dev/emulator';
import type { N8nMajor, QueueCluster, RunningN8n } from '../../dev/n8n';
import {
	N8nRestClient,
	packPackage,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
	startQueueCluster,
} from '../../dev/n8n';
import { submitTextToVideo } from '../../dev/submitTasks';
import { credentialsFor } from '../fixtures';

/**
 * The HappyHorse Trigger in real n8n, as users run it: the packed package, the two examples (a
 * batch submitted without waiting, and the activated trigger workflow that stores each video and
 * finds its task's Data Table row), the emulator pushing EventBridge's signed events to the
 * workflow's production webhook URL.
 *
 * The signature check runs as in production: n8n fetches the signing certificate from
 * https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/, mapped to loopback TLS for the
 * test (dev/eventBridgeHost.ts: a marked /etc/hosts block, a throwaway CA given to n8n in
 * NODE_EXTRA_CA_CERTS). Needs root and openssl, like the endpoint tests.
 */

const MAJORS = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',') as N8nMajor[];
const QUEUE = MAJORS.includes('2') ? describe : describe.skip;
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EVENT_TOKEN = 'e2e-event-token';

let tarball: string;
const signer = new EventBridgeSigner();
let certificateHost: EventBridgeCertificateHost;

beforeAll(async () => {
	tarball = packPackage();
	certificateHost = await startEventBridgeCertificateHost(signer.publicKeyPem);
}, 5 * 60_000);

afterAll(async () => await certificateHost?.stop());

function example(file: string): WorkflowJson {
	const found = loadExamples().find((candidate) => candidate.file === file);
	if (!found) throw new Error(`No example ${file}`);
	return found.workflow;
}

interface Setup {
	emulator: HappyHorseEmulator;
	client: N8nRestClient;
	main: RunningN8n;
	outputDir: string;
	credential: { id: string; name: string };
	dataTableId: string;
	triggerWorkflowId: string;
	webhookUrl: string;
}

/** Saves the credential and the Data Table, activates the trigger example; returns its URL. */
async function prepare(
	emulator: HappyHorseEmulator,
	main: RunningN8n,
	outputDir: string,
): Promise<Setup> {
	const client = await N8nRestClient.login(main);
	const name = 'HappyHorse emulator';
	const { id } = await client.createCredential(name, 'happyHorseApi', {
		...credentialsFor(emulator, 'native'),
		eventToken: EVENT_TOKEN,
	});
	const credential = { id, name };
	const dataTableId = await createTasksTable(client);
	const targets = { emulatorOrigin: emulator.origin, credential, outputDir, dataTableId };
	const trigger = pointAtEmulator(example('store-video-when-done.json'), targets);
	const saved = await client.createWorkflow(trigger);
	await client.request('POST', `/rest/workflows/${saved.id}/activate`, {
		versionId: saved.versionId,
	});
	const settings = await client.request('GET', '/rest/settings');
	const webhookId = trigger.nodes[0].webhookId as string;
	const webhookUrl = `${settings.data.urlBaseWebhook}webhook/${webhookId}/webhook`;
	// The main registers the webhook a moment after the activation answered.
	for (let tries = 0; tries < 50; tries++) {
		const probe = await fetch(webhookUrl, { method: 'POST', body: '{}' });
		if (probe.status !== 404) break;
		await sleep(200);
	}
	return {
		emulator,
		client,
		main,
		outputDir,
		credential,
		dataTableId,
		triggerWorkflowId: saved.id,
		webhookUrl,
	};
}

async function executionsOf(setup: Setup): Promise<string[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: setup.triggerWorkflowId }));
	const listed = await setup.client.request('GET', `/rest/executions?filter=${filter}`);
	return (listed.data.results as Array<{ id: string }>).map((execution) => String(execution.id));
}

function pushTo(setup: Setup, overrides: { token?: string; certificateUrl?: string } = {}) {
	setup.emulator.events.configure({
		url: setup.webhookUrl,
		signer,
		certificateUrl: overrides.certificateUrl ?? certificateHost.certificateUrl,
		token: 'token' in overrides ? overrides.token : EVENT_TOKEN,
		retries: 3,
		retryDelayMs: 1000,
	});
}

/**
 * An ended execution with its nodes' data: n8n 1.x has been seen to answer `success` once before
 * the run data of a webhook execution was stored, so that is read again for a few seconds.
 */
async function storedRun(client: N8nRestClient, id: string) {
	for (let tries = 0; ; tries++) {
		const execution = await client.waitForExecution(id, 60_000);
		if (execution.data.resultData.runData['When a video is done'] || tries >= 20) return execution;
		await sleep(250);
	}
}

/**
 * The batch example (manual run, no waiting) creates the tasks; each ends, its event is pushed,
 * and the trigger workflow runs once per task with the API's answer and the video.
 */
async function batchCollectedByTrigger(setup: Setup): Promise<string[]> {
	const { emulator, client } = setup;
	const fetchesBefore = certificateHost.requests.length;
	emulator.taskScript = () => ({ durationMs: 800 });
	pushTo(setup);
	const batch = pointAtEmulator(example('submit-batch-without-waiting.json'), {
		emulatorOrigin: emulator.origin,
		credential: setup.credential,
		outputDir: setup.outputDir,
		dataTableId: setup.dataTableId,
	});
	const executionId = await client.startCopy(batch, triggerNodeName(batch));
	const submitted = await client.waitForExecution(executionId, 120_000);
	expect(submitted.status).toBe('success');
	const taskIds = emulator.createdTaskIds;
	expect(taskIds).toHaveLength(emulator.samplePrompts().length);
	expect(emulator.requestsOf('query')).toEqual([]);

	const deadline = Date.now() + 60_000;
	let executions = await executionsOf(setup);
	while (executions.length < taskIds.length && Date.now() < deadline) {
		await sleep(300);
		executions = await executionsOf(setup);
	}
	expect(executions).toHaveLength(taskIds.length);
	const seen: string[] = [];
	for (const id of executions) {
		const execution = await storedRun(client, id);
		expect(execution.status).toBe('success');
		const runData = execution.data.resultData.runData;
		const [item] = runData['When a video is done'][0].data.main[0];
		const taskId = String(item.json.taskId);
		seen.push(taskId);
		expect(item.json).toMatchObject({
			taskId,
			status: 'SUCCEEDED',
			model: 'happyhorse-1.0-t2v',
			event: { region: 'cn-beijing' },
		});
		expect(item.json.videoUrl).toContain(`/results/${taskId}.mp4`);
		expect(item.binary.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId}.mp4` });
		const written = readFileSync(join(setup.outputDir, `${taskId}.mp4`));
		expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
		// The trigger workflow found the row the batch wrote for this task: its prompt.
		const [row] = runData['Find its task'][0].data.main[0];
		const prompt = emulator.samplePrompts()[taskIds.indexOf(taskId)].prompt;
		expect(row.json).toMatchObject({ taskId, prompt, sourceRow: taskIds.indexOf(taskId) });
	}
	expect(seen.sort()).toEqual([...taskIds].sort());
	// One status query per task, nothing polled; every delivery answered 200 at once.
	expect(
		emulator
			.requestsOf('query')
			.map((request) => request.path)
			.sort(),
	).toEqual(taskIds.map((taskId) => `/api/v1/tasks/${taskId}`).sort());
	await emulator.events.settled();
	expect(emulator.events.deliveries.map((delivery) => delivery.status)).toEqual(
		taskIds.map(() => 200),
	);
	// The certificate came from EventBridge's host, once for this n8n (then cached), without any
	// credential.
	expect(certificateHost.requests.length - fetchesBefore).toBe(1);
	for (const request of certificateHost.requests) {
		expect(request.path).toBe('/x509_public_certificate.pem');
		expect(request.headers.authorization).toBeUndefined();
	}
	return executions;
}

/** Forged, tampered, stale, wrongly tokened deliveries of a real finished task: 401, nothing runs. */
async function forgeriesStartNothing(setup: Setup): Promise<void> {
	const { emulator } = setup;
	emulator.taskScript = () => ({ statuses: ['SUCCEEDED'] });
	const taskId = await submitTextToVideo(emulator.nativeBaseUrl, emulator.apiKey, 'A forged end');
	const event = taskFinishedEvent(
		{ id: taskId, model: 'happyhorse-1.0-t2v', submittedAt: Date.now() - 5000 },
		'SUCCEEDED',
	);
	const before = await executionsOf(setup);
	pushTo(setup);
	const forger = new EventBridgeSigner();
	const forged = forger.headers({
		url: setup.webhookUrl,
		body: JSON.stringify(event),
		certificateUrl: certificateHost.certificateUrl,
		token: EVENT_TOKEN,
	});
	const answers = [
		// Signed by another key, naming EventBridge's certificate.
		await emulator.events.push(event, { headers: forged }),
		// EventBridge's signature of this event, sent with another body.
		await emulator.events.push(event, {
			headers: signer.headers({
				url: setup.webhookUrl,
				body: JSON.stringify(event),
				certificateUrl: certificateHost.certificateUrl,
				token: EVENT_TOKEN,
			}),
			body: JSON.stringify({ ...event, id: 'tampered' }),
		}),
		// No signature at all.
		await emulator.events.push(event, {
			headers: { 'x-eventbridge-signature-v2': '', 'x-eventbridge-signature-timestamp': '' },
		}),
	];
	pushTo(setup, { token: 'not-the-token' });
	answers.push(await emulator.events.push(event));
	pushTo(setup, { certificateUrl: `${emulator.origin}/x509_public_certificate.pem` });
	answers.push(await emulator.events.push(event));
	expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
	await sleep(1500);
	expect(await executionsOf(setup)).toEqual(before);
	expect(emulator.requestsOf('query')).toEqual([]);
	expect(emulator.requestsOf('other')).toEqual([]);
}

describe.each(MAJORS)('n8n %s.x', (major) => {
	const emulator = new HappyHorseEmulator();
	let n8n: RunningN8n;
	let setup: Setup;

	beforeAll(async () => {
		const install = await ensureN8nInstalled(major, log);
		const userFolder = mkdtempSync(join(tmpdir(), `happyhorse-trigger-n8n${major}-`));
		await installCommunityPackage(userFolder, tarball, log);
		await emulator.start();
		n8n = await startN8n({
			install,
			userFolder,
			log,
			env: { NODE_EXTRA_CA_CERTS: certificateHost.caFile },
		});
		const outputDir = join(userFolder, 'output');
		mkdirSync(outputDir, { recursive: true });
		setup = await prepare(emulator, n8n, outputDir);
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator.stop();
	});

	beforeEach(() => emulator.reset());

	test('a batch submitted without waiting is collected by the activated trigger, one run per task', async () => {
		await batchCollectedByTrigger(setup);
	});

	test('forged deliveries are refused and start nothing', async () => {
		await forgeriesStartNothing(setup);
	});
});

QUEUE('n8n 2.x in queue mode', () => {
	const emulator = new HappyHorseEmulator();
	let cluster: QueueCluster;
	let setup: Setup;

	beforeAll(async () => {
		const install = await ensureN8nInstalled('2', log);
		await emulator.start();
		cluster = await startQueueCluster({
			install,
			tarball,
			workerCount: 1,
			env: { NODE_EXTRA_CA_CERTS: certificateHost.caFile },
			log,
		});
		const outputDir = join(cluster.sharedDir, 'output');
		mkdirSync(outputDir, { recursive: true });
		setup = await prepare(emulator, cluster.main, outputDir);
	}, 30 * 60_000);

	afterAll(async () => {
		await cluster?.stop();
		await emulator.stop();
	});

	test('deliveries arrive at the main, the executions run on the worker with the video', async () => {
		const executions = await batchCollectedByTrigger(setup);
		for (const id of executions) expect(cluster.workersThatRan(id)).toHaveLength(1);
		expect(cluster.main.logs()).not.toContain('Worker started execution');
	});
});

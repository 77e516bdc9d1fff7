import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { WorkflowJson } from '../../dev/examples';
import {
	loadExamples,
	placeExampleInputs,
	pointAtEmulator,
	triggerNodeName,
} from '../../dev/examples';
import type { QueueBinaryDataMode, QueueCluster } from '../../dev/n8n';
import { N8nRestClient, ensureN8nInstalled, startQueueCluster, packPackage } from '../../dev/n8n';
import { HappyHorseEmulator } from '../../dev/emulator';
import { credentialsFor } from '../fixtures';

/**
 * The packed package in n8n 2.x's queue mode: Redis, a main that runs no executions
 * (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), two workers that run at most two executions each, one
 * shared SQLite database; in `database` binary mode (queue mode's default in n8n 2.x) and in
 * `filesystem` mode with a shared storage folder. n8n 1.x is covered in regular mode only
 * (n8n.e2e.ts).
 */

const RUNS_HERE = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',').includes('2');
const MODES: QueueBinaryDataMode[] = ['database', 'filesystem'];
// Skipped, not left out, when HAPPYHORSE_E2E_N8N names no 2.x: the summary then says so.
const describeModes = RUNS_HERE ? describe.each(MODES) : describe.skip.each(MODES);
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Jobs one worker takes at once: low, so that four executions at once need both workers. */
const WORKER_CONCURRENCY = 2;

let tarball: string;

beforeAll(() => {
	if (!RUNS_HERE) return;
	tarball = packPackage();
});

interface Item {
	json: Record<string, any>;
	binary?: Record<string, any>;
}

/** Every item a node put out, over all its runs (a node in a loop runs more than once). */
function itemsOf(execution: { data: any }, nodeName: string): Item[] {
	const runs = (execution.data.resultData.runData[nodeName] ?? []) as Array<{
		data?: { main: Item[][] };
	}>;
	return runs.flatMap((run) => run.data?.main[0] ?? []);
}

function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
	);
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`Still not true after ${timeoutMs} ms: ${what}`);
		await sleep(100);
	}
}

describeModes('n8n 2.x in queue mode, binary data in %s mode', (mode) => {
	const emulator = new HappyHorseEmulator();
	let cluster: QueueCluster;
	let client: N8nRestClient;
	let outputDir: string;
	let credential: { id: string; name: string };

	beforeAll(async () => {
		const install = await ensureN8nInstalled('2', log);
		await emulator.start();
		cluster = await startQueueCluster({
			install,
			tarball,
			workerCount: 2,
			workerConcurrency: WORKER_CONCURRENCY,
			// The n8n 2.x default in queue mode is `database`: left unset, so this tests the default.
			binaryDataMode: mode === 'database' ? undefined : mode,
			// A dead worker's job is found stalled within seconds instead of n8n's 30 s.
			env: {
				QUEUE_WORKER_LOCK_DURATION: '10000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '3000',
				QUEUE_WORKER_STALLED_INTERVAL: '5000',
			},
			log,
		});
		client = await N8nRestClient.login(cluster.main);
		outputDir = join(cluster.sharedDir, 'output');
		mkdirSync(outputDir, { recursive: true });
		const name = 'HappyHorse emulator';
		const { id } = await client.createCredential(
			name,
			'happyHorseApi',
			credentialsFor(emulator, 'native'),
		);
		credential = { id, name };
	}, 30 * 60_000);

	afterAll(async () => {
		await cluster?.stop();
		await emulator.stop();
	});

	beforeEach(() => emulator.reset());

	function example(file: string): WorkflowJson {
		const found = loadExamples().find((candidate) => candidate.file === file);
		if (!found) throw new Error(`No example ${file}`);
		return pointAtEmulator(found.workflow, {
			emulatorOrigin: emulator.origin,
			credential,
			outputDir,
			pollInterval: 0.2,
		});
	}

	async function start(workflow: WorkflowJson): Promise<string> {
		return await client.startCopy(workflow, triggerNodeName(workflow));
	}

	async function run(workflow: WorkflowJson, timeoutMs = 120_000) {
		const executionId = await start(workflow);
		return { executionId, ...(await client.waitForExecution(executionId, timeoutMs)) };
	}

	/** The one worker that ran the execution; the main ran nothing. */
	function workerThatRan(executionId: string) {
		const workers = cluster.workersThatRan(executionId);
		expect(workers).toHaveLength(1);
		expect(cluster.main.logs()).not.toContain('Worker started execution');
		return workers[0];
	}

	function expectFilesAsServed(taskIds: string[]) {
		for (const taskId of taskIds) {
			const written = readFileSync(join(outputDir, `${taskId}.mp4`));
			expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
		}
	}

	test('a manual run goes to a worker; the next node there reads the downloaded file from n8n’s binary storage', async () => {
		emulator.taskScript = () => ({ durationMs: 1_500 });
		const execution = await run(example('text-to-video-from-http-prompts.json'));
		expect(execution.status).toBe('success');
		workerThatRan(execution.executionId);
		const generated = itemsOf(execution, 'Generate video');
		expect(generated.map((item) => item.json.taskId)).toEqual(emulator.createdTaskIds);
		for (const item of generated) {
			// Where the file is: the mode's own storage, not the execution data.
			expect(item.binary?.data.id).toMatch(new RegExp(`^${mode}(-v2)?:`));
		}
		// Write to Disk ran on the worker and read each video back from that storage.
		expectFilesAsServed(emulator.createdTaskIds);
		if (mode === 'filesystem') {
			// In the shared folder every process was given, not in the worker's own user folder.
			const stored = filesUnder(join(cluster.sharedDir, 'storage')).map((file) =>
				readFileSync(file),
			);
			for (const taskId of emulator.createdTaskIds) {
				expect(stored.some((bytes) => bytes.equals(emulator.resultBytes(taskId)))).toBe(true);
			}
		}
	});

	test('a picture read from disk on the worker is uploaded from n8n’s binary storage, byte for byte', async () => {
		const inputs = placeExampleInputs(outputDir);
		const execution = await run(example('image-to-video-from-disk.json'));
		expect(execution.status).toBe('success');
		workerThatRan(execution.executionId);
		const objects = [...emulator.uploadedObjects.values()];
		expect(objects).toHaveLength(1);
		expect(objects[0].bytes.equals(readFileSync(inputs.firstFrame))).toBe(true);
		expectFilesAsServed(emulator.createdTaskIds);
	});

	test('a webhook run goes to a worker, and the main answers the call with the video', async () => {
		emulator.taskScript = () => ({ durationMs: 1_000 });
		const path = `happyhorse-queue-${mode}-${Date.now()}`;
		const workflow = {
			name: `HappyHorse over a webhook (${mode})`,
			nodes: [
				{
					parameters: {
						httpMethod: 'POST',
						path,
						responseMode: 'lastNode',
						responseData: 'firstEntryBinary',
						responseBinaryPropertyName: 'data',
						options: {},
					},
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: path,
				},
				{
					parameters: {
						operation: 'createTextToVideoTask',
						prompt: '={{ $json.body.prompt }}',
						options: { pollInterval: 0.2 },
					},
					name: 'Generate video',
					type: 'n8n-nodes-happyhorse.happyHorse',
					typeVersion: 1,
					position: [220, 0],
					credentials: { happyHorseApi: credential },
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Generate video', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		};
		const saved = await client.createWorkflow(workflow);
		await client.request('POST', `/rest/workflows/${saved.id}/activate`, {
			versionId: saved.versionId,
		});
		const call = () =>
			fetch(`${cluster.main.baseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: 'A horse on a beach' }),
			});
		// The main registers the webhook a moment after the activation answered; a 404 runs nothing.
		let response = await call();
		for (let tries = 0; response.status === 404 && tries < 50; tries++) {
			await response.arrayBuffer();
			await sleep(200);
			response = await call();
		}
		expect(response.status).toBe(200);
		const [taskId] = emulator.createdTaskIds;
		expect(Buffer.from(await response.arrayBuffer()).equals(emulator.resultBytes(taskId))).toBe(
			true,
		);
		expect((emulator.requestsOf('submit')[0].json as any).input).toEqual({
			prompt: 'A horse on a beach',
		});
		const listed = await client.request(
			'GET',
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: saved.id }))}`,
		);
		const [{ id: executionId }] = listed.data.results;
		workerThatRan(String(executionId));
	});

	if (mode !== 'database') return;

	test('many items in one execution wait together on one worker: 10 jobs, 10 submits, 10 files', async () => {
		emulator.sampleJobCount = 10;
		emulator.taskScript = () => ({ durationMs: 2_000 });
		const execution = await run(example('edit-video-from-url-to-disk.json'));
		expect(execution.status).toBe('success');
		workerThatRan(execution.executionId);
		expect(emulator.requestsOf('submit')).toHaveLength(10);
		const edited = itemsOf(execution, 'Edit video');
		expect(edited.map((item) => [item.json.taskId, item.json.status])).toEqual(
			emulator.createdTaskIds.map((taskId) => [taskId, 'SUCCEEDED']),
		);
		// All ten were queued at the account at once (5 run at a time), not one after another.
		const starts = emulator.createdTaskIds.map((taskId) => emulator.taskTimes(taskId).startedAt!);
		const secondWave = [...starts].sort((a, b) => a - b)[5];
		expect(secondWave - Math.min(...starts)).toBeLessThan(4_000);
		expectFilesAsServed(emulator.createdTaskIds);
	});

	test('four executions at once spread over both workers; each task is submitted exactly once', async () => {
		emulator.taskScript = () => ({ durationMs: 3_000 });
		const workflow = example('edit-video-from-url-to-disk.json');
		const executionIds = await Promise.all([1, 2, 3, 4].map(() => start(workflow)));
		const executions = await Promise.all(
			executionIds.map((id) => client.waitForExecution(id, 120_000)),
		);
		expect(executions.map((execution) => execution.status)).toEqual(Array(4).fill('success'));
		const ranOn = executionIds.map((id) => {
			const workers = cluster.workersThatRan(id);
			expect(workers).toHaveLength(1);
			return workers[0].port;
		});
		// Two slots per worker and four executions running at once: both workers took two.
		expect(new Set(ranOn).size).toBe(2);
		expect(emulator.requestsOf('submit')).toHaveLength(8);
		const outputIds = executions.flatMap((execution) =>
			itemsOf(execution, 'Edit video').map((item) => item.json.taskId),
		);
		expect([...outputIds].sort()).toEqual([...emulator.createdTaskIds].sort());
		expectFilesAsServed(emulator.createdTaskIds);
	});

	test('a Stop in the main reaches the worker: its PENDING tasks are canceled at the API', async () => {
		emulator.sampleJobCount = 3;
		emulator.limits.maxRunningTasks = 1;
		emulator.taskScript = () => ({ durationMs: 120_000 });
		const executionId = await start(example('edit-video-from-url-to-disk.json'));
		await waitUntil(
			'all three tasks queried',
			() => emulator.requestsOf('query').length >= 3,
			60_000,
		);
		workerThatRan(executionId);
		await client.request('POST', `/rest/executions/${executionId}/stop`);
		const execution = await client.waitForExecution(executionId, 60_000);
		expect(execution.status).toBe('canceled');
		const [, ...pending] = emulator.createdTaskIds;
		await waitUntil('two cancels', () => emulator.requestsOf('cancel').length >= 2, 10_000);
		const canceled = emulator.requestsOf('cancel').map((request) => request.path.split('/')[4]);
		expect(canceled.sort()).toEqual([...pending].sort());
	});

	/** The long-batch example with its Wait set to this many seconds. */
	function longBatch(waitSeconds: number): WorkflowJson {
		const workflow = example('long-batch-wait-then-collect.json');
		const wait = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.wait')!;
		wait.parameters = { ...wait.parameters, amount: waitSeconds, unit: 'seconds' };
		return workflow;
	}

	async function statusOf(executionId: string): Promise<string> {
		return String((await client.request('GET', `/rest/executions/${executionId}`)).data?.status);
	}

	async function waitForStatus(executionId: string, status: string, timeoutMs: number) {
		const deadline = Date.now() + timeoutMs;
		let seen = await statusOf(executionId);
		while (seen !== status) {
			if (Date.now() > deadline) {
				throw new Error(`Execution ${executionId} is "${seen}", not "${status}"`);
			}
			await sleep(250);
			seen = await statusOf(executionId);
		}
	}

	test('long batch: a Wait of 66 s parks the execution in the database and frees the worker; no query meanwhile', async () => {
		emulator.taskScript = () => ({ durationMs: 2_000 });
		const executionId = await start(longBatch(66));
		await waitForStatus(executionId, 'waiting', 60_000);
		// The worker's job is over: its slot is free for other executions during the wait.
		const [parkedBy] = cluster.workersThatRan(executionId);
		await waitUntil(
			'the worker ended its job',
			() => parkedBy.logs().includes(`Worker finished execution ${executionId} (job`),
			10_000,
		);
		expect(emulator.requestsOf('submit')).toHaveLength(3);
		expect(emulator.requestsOf('query')).toHaveLength(0);
		const execution = await client.waitForExecution(executionId, 180_000);
		expect(execution.status).toBe('success');
		expect(cluster.main.logs()).not.toContain('Worker started execution');
		const downloaded = itemsOf(execution, 'Download results');
		expect(downloaded.map((item) => [item.json.taskId, item.json.status])).toEqual(
			emulator.createdTaskIds.map((taskId) => [taskId, 'SUCCEEDED']),
		);
		for (const item of downloaded) {
			expect(item.binary?.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${item.json.taskId}.mp4`,
			});
		}
		// One query by Check status, one by Download results: nothing polled while it was parked.
		for (const taskId of emulator.createdTaskIds) {
			const queries = emulator.requestsOf('query').filter((r) => r.path.includes(taskId));
			expect(queries).toHaveLength(2);
		}
	}, 240_000);

	test('long batch: tasks still running after the Wait go round it again, and only they are checked again', async () => {
		emulator.taskScript = (body) => ({
			durationMs: String(body.input.prompt).includes('paper boat') ? 7_000 : 500,
		});
		const execution = await run(longBatch(2));
		expect(execution.status).toBe('success');
		const [quick1, quick2, slow] = emulator.createdTaskIds;
		const checked = itemsOf(execution, 'Check status').map((item) => item.json.taskId);
		expect(checked.filter((taskId) => taskId === quick1)).toHaveLength(1);
		expect(checked.filter((taskId) => taskId === quick2)).toHaveLength(1);
		expect(checked.filter((taskId) => taskId === slow).length).toBeGreaterThanOrEqual(2);
		const downloaded = itemsOf(execution, 'Download results');
		expect(downloaded.map((item) => item.json.taskId).sort()).toEqual(
			[quick1, quick2, slow].sort(),
		);
		expect(downloaded.map((item) => item.json.status)).toEqual(Array(3).fill('SUCCEEDED'));
		expect(emulator.requestsOf('submit')).toHaveLength(3);
	});

	// Last: it leaves one worker.
	test('a worker killed mid-wait: n8n does not run the execution again; the recovery example collects its tasks with no new submit', async () => {
		emulator.sampleJobCount = 3;
		emulator.taskScript = () => ({ durationMs: 6_000 });
		const executionId = await start(example('edit-video-from-url-to-disk.json'));
		await waitUntil(
			'three tasks submitted and being waited for',
			() => emulator.requestsOf('submit').length === 3 && emulator.requestsOf('query').length >= 3,
			60_000,
		);
		const [victim] = cluster.workersThatRan(executionId);
		const survivor = cluster.workers.find((worker) => worker !== victim)!;
		await victim.kill();
		const created = [...emulator.createdTaskIds];
		expect(created).toHaveLength(3);
		// The survivor finds the dead worker's job unlocked (QUEUE_WORKER_LOCK_DURATION, above) and
		// fails it: n8n 2.x queues with maxStalledCount 0, so nobody runs the execution again.
		await waitUntil(
			'n8n gave up on the crashed execution',
			() => cluster.main.logs().includes(`Problem with execution ${executionId}:`),
			120_000,
		);
		await waitForStatus(executionId, 'error', 10_000);
		expect(survivor.logs()).not.toContain(`Worker started execution ${executionId} (`);
		expect(emulator.requestsOf('submit')).toHaveLength(3);

		const recovery = await run(example('recover-tasks-after-crash.json'));
		expect(recovery.status).toBe('success');
		const collected = itemsOf(recovery, 'Download result');
		expect(collected.map((item) => item.json.taskId).sort()).toEqual([...created].sort());
		expect(collected.map((item) => item.json.status)).toEqual(Array(3).fill('SUCCEEDED'));
		expect(emulator.requestsOf('submit')).toHaveLength(3);
		expect(emulator.requestsOf('list')).toHaveLength(1);
		expectFilesAsServed(created);
	}, 240_000);
});

import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WorkflowJson } from '../../dev/examples';
import {
	loadExamples,
	placeExampleInputs,
	pointAtEmulator,
	triggerNodeName,
} from '../../dev/examples';
import type { N8nMajor, RunningN8n } from '../../dev/n8n';
import {
	N8nRestClient,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
	packPackage,
} from '../../dev/n8n';
import { HappyHorseEmulator } from '../../dev/emulator';
import { credentialsFor } from '../fixtures';

/**
 * The package as users get it: packed with `npm pack`, installed into a fresh n8n user folder
 * with `npm install --omit=dev` (so anything it needs and does not ship fails here), loaded by
 * a real n8n, driven over n8n's REST API against the emulator.
 */

const MAJORS = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',') as N8nMajor[];
const log = (line: string) => process.stderr.write(`${line}\n`);

let tarball: string;

beforeAll(() => {
	tarball = packPackage();
});

interface NodeRun {
	error?: { message: string; description?: string };
	data?: { main: Array<Array<{ json: Record<string, any>; binary?: Record<string, any> }>> };
}

function runOf(execution: { data: any }, nodeName: string): NodeRun {
	const run = execution.data.resultData.runData[nodeName]?.[0] as NodeRun | undefined;
	if (!run)
		throw new Error(
			`Node "${nodeName}" did not run: ${JSON.stringify(execution.data.resultData.error)}`,
		);
	return run;
}

function outputOf(execution: { data: any }, nodeName: string) {
	return runOf(execution, nodeName).data?.main[0] ?? [];
}

describe.each(MAJORS)('n8n %s.x', (major) => {
	const emulator = new HappyHorseEmulator();
	let n8n: RunningN8n;
	let client: N8nRestClient;
	let outputDir: string;
	const credentials: Record<'native' | 'anyfast', { id: string; name: string }> = {} as never;

	beforeAll(async () => {
		const install = await ensureN8nInstalled(major, log);
		const userFolder = mkdtempSync(join(tmpdir(), `happyhorse-n8n${major}-`));
		await installCommunityPackage(userFolder, tarball, log);
		await emulator.start();
		n8n = await startN8n({ install, userFolder, log });
		client = await N8nRestClient.login(n8n);
		outputDir = join(userFolder, 'output');
		mkdirSync(outputDir, { recursive: true });
		for (const family of ['native', 'anyfast'] as const) {
			const name = `HappyHorse emulator (${family})`;
			const { id } = await client.createCredential(
				name,
				'happyHorseApi',
				credentialsFor(emulator, family),
			);
			credentials[family] = { id, name };
		}
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator.stop();
	});

	beforeEach(() => emulator.reset());

	async function run(workflow: WorkflowJson) {
		const executionId = await client.startCopy(workflow, triggerNodeName(workflow));
		return await client.waitForExecution(executionId, 120_000);
	}

	function example(file: string, family: 'native' | 'anyfast' = 'native'): WorkflowJson {
		const found = loadExamples().find((candidate) => candidate.file === file);
		if (!found) throw new Error(`No example ${file}`);
		return pointAtEmulator(found.workflow, {
			emulatorOrigin: emulator.origin,
			credential: credentials[family],
			outputDir,
			pollInterval: 0.2,
		});
	}

	test('n8n loaded the node and the credential from the installed package', async () => {
		expect(await client.loadedNodeTypes()).toContain('n8n-nodes-happyhorse.happyHorse');
	});

	test.each([
		['a user name and password', (base: string) => base.replace('http://', 'http://user:pw@')],
		['a query', (base: string) => `${base}?region=cn`],
	])(
		"n8n's own credential test fails a custom base URL with %s, asking nothing of it",
		async (_, url) => {
			const result = await client.testCredential({
				...credentials.native,
				type: 'happyHorseApi',
				data: {
					apiKey: emulator.apiKey,
					endpoint: 'custom',
					baseUrl: url(emulator.nativeBaseUrl),
					apiFormat: 'native',
				},
			});
			// The test asks a .invalid name instead (transport/endpoints.ts). n8n words the failed
			// lookup itself (2.x "ENOTFOUND", 1.x "The connection cannot be established…"); the
			// node says why when the credential is used.
			expect(result.status).toBe('Error');
			expect(emulator.requests).toHaveLength(0);
		},
	);

	test.each(['native', 'anyfast'] as const)(
		"n8n's own credential test passes a good %s key and fails a bad one",
		async (family) => {
			const data = {
				apiKey: emulator.apiKey,
				endpoint: 'custom',
				baseUrl: family === 'native' ? emulator.nativeBaseUrl : `${emulator.anyfastBaseUrl}/`,
				apiFormat: family,
			};
			const good = await client.testCredential({
				...credentials[family],
				type: 'happyHorseApi',
				data,
			});
			expect(good.status).toBe('OK');
			const bad = await client.testCredential({
				...credentials[family],
				type: 'happyHorseApi',
				data: { ...data, apiKey: 'sk-wrong' },
			});
			expect(bad.status).toBe('Error');
			// n8n may try a failing test request more than once.
			const [first, ...rest] = emulator.requests.map((request) => request.headers.authorization);
			expect(first).toBe(`Bearer ${emulator.apiKey}`);
			expect(rest.length).toBeGreaterThan(0);
			expect(new Set(rest)).toEqual(new Set(['Bearer sk-wrong']));
		},
	);

	test('every example workflow is covered by a case below, or in queue mode by queue.e2e.ts', () => {
		expect(loadExamples().map((found) => found.file)).toEqual([
			// Run by agent.e2e.ts, on 2.x.
			'agent-makes-a-video.json',
			'create-now-collect-later.json',
			'edit-video-from-disk.json',
			'edit-video-from-url-to-disk.json',
			// Run by costs.e2e.ts: it waits for a person's approval.
			'estimate-then-approve.json',
			'image-to-video-from-disk.json',
			'long-batch-wait-then-collect.json',
			'recover-tasks-after-crash.json',
			'reference-to-video-from-urls.json',
			// Both run by trigger.e2e.ts, on 2.x, 1.x and in queue mode.
			'store-video-when-done.json',
			'submit-batch-without-waiting.json',
			'text-to-video-from-http-prompts.json',
		]);
	});

	/**
	 * The trigger and one HappyHorse node with these parameters, on this family's credential:
	 * the image-to-video example's two nodes, its file nodes left out.
	 */
	function oneNodeWorkflow(parameters: Record<string, unknown>, family: 'native' | 'anyfast') {
		const workflow = example('image-to-video-from-disk.json', family);
		const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger')!;
		const happyHorse = workflow.nodes.find(
			(node) => node.type === 'n8n-nodes-happyhorse.happyHorse',
		)!;
		happyHorse.parameters = parameters;
		const connection = { node: happyHorse.name, type: 'main', index: 0 };
		return {
			...workflow,
			name: `HappyHorse ${String(parameters.operation)} on ${family}`,
			nodes: [trigger, happyHorse],
			connections: { [trigger.name]: { main: [[connection]] } },
		};
	}

	test('example: HTTP-fetched jobs → HappyHorse → files on disk, bytes as served', async () => {
		const execution = await run(example('edit-video-from-url-to-disk.json'));
		expect(execution.status).toBe('success');
		const jobs = emulator.sampleJobs();
		const submits = emulator.requestsOf('submit').map((request) => request.json as any);
		expect(submits.map((body) => body.input)).toEqual(
			jobs.map((job) => ({
				prompt: job.prompt,
				media: [
					{ type: 'video', url: job.videoUrl },
					{ type: 'reference_image', url: job.imageUrl },
				],
			})),
		);
		expect(submits[0].parameters).toEqual({ resolution: '720P' });
		const edited = outputOf(execution, 'Edit video');
		expect(edited.map((item) => [item.json.taskId, item.json.status])).toEqual(
			emulator.createdTaskIds.map((taskId) => [taskId, 'SUCCEEDED']),
		);
		for (const item of edited) {
			expect(item.binary?.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${item.json.taskId}.mp4`,
			});
		}
		for (const taskId of emulator.createdTaskIds) {
			const written = readFileSync(join(outputDir, `${taskId}.mp4`));
			expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
		}
		for (const download of emulator.requestsOf('download')) {
			expect(download.headers.authorization).toBeUndefined();
		}
	});

	test('example: submit now, collect with Get Task on the Anyfast format', async () => {
		emulator.taskScript = () => ({});
		const workflow = example('create-now-collect-later.json', 'anyfast');
		// Anyfast takes exactly one reference image.
		const submit = workflow.nodes.find((node) => node.name === 'Submit edit')!;
		submit.parameters.referenceImages = {
			images: [{ source: 'url', url: `${emulator.origin}/samples/sweater.png` }],
		};
		const execution = await run(workflow);
		expect(execution.status).toBe('success');
		const [taskId] = emulator.createdTaskIds;
		// The estimate read the sample video's own 4 s from its header; a custom endpoint has no price.
		expect(outputOf(execution, 'Submit edit').map((item) => item.json)).toEqual([
			{
				taskId,
				status: 'PENDING',
				estimate: {
					billedSeconds: 8,
					amount: null,
					currency: null,
					resolution: '1080P',
					pricePerSecond: null,
					priceSource: null,
					inputSeconds: 4,
					outputSeconds: 4,
				},
			},
		]);
		const [collected] = outputOf(execution, 'Collect result');
		expect(collected.json).toMatchObject({ taskId, status: 'SUCCEEDED' });
		expect(collected.binary?.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `${taskId}.mp4`,
		});
	});

	test('example: a video and a picture from disk → upload → edit → file on disk, bytes compared', async () => {
		const inputs = placeExampleInputs(outputDir);
		const execution = await run(example('edit-video-from-disk.json'));
		expect(execution.status).toBe('success');
		const objects = [...emulator.uploadedObjects.values()];
		expect(objects.map((object) => object.contentType)).toEqual(['video/mp4', 'image/png']);
		expect(objects[0].bytes.equals(readFileSync(inputs.video))).toBe(true);
		expect(objects[1].bytes.equals(readFileSync(inputs.picture))).toBe(true);
		for (const upload of emulator.requestsOf('upload')) {
			expect(upload.headers.authorization).toBeUndefined();
		}
		const [submit] = emulator.requestsOf('submit');
		expect((submit.json as any).input.media.map((media: { url: string }) => media.url)).toEqual(
			objects.map((object) => `oss://${object.key}`),
		);
		const [taskId] = emulator.createdTaskIds;
		const written = readFileSync(join(outputDir, `${taskId}.mp4`));
		expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
	});

	test('example: HTTP-fetched prompts → text to video → files on disk, bytes as served', async () => {
		const execution = await run(example('text-to-video-from-http-prompts.json'));
		expect(execution.status).toBe('success');
		const submits = emulator.requestsOf('submit').map((request) => request.json as any);
		expect(submits.map((body) => body.input)).toEqual(
			emulator.samplePrompts().map(({ prompt }) => ({ prompt })),
		);
		for (const body of submits) {
			expect(body.model).toMatch(/^happyhorse-1\.[01]-t2v$/);
			expect(body.parameters).toEqual({ duration: 5, resolution: '720P', ratio: '16:9' });
		}
		const generated = outputOf(execution, 'Generate video');
		expect(generated.map((item) => [item.json.taskId, item.json.status])).toEqual(
			emulator.createdTaskIds.map((taskId) => [taskId, 'SUCCEEDED']),
		);
		expect(emulator.createdTaskIds).toHaveLength(3);
		for (const item of generated) {
			expect(item.binary?.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${item.json.taskId}.mp4`,
			});
		}
		for (const taskId of emulator.createdTaskIds) {
			const written = readFileSync(join(outputDir, `${taskId}.mp4`));
			expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
		}
	});

	test('example: two pictures named [Image 1] and [Image 2] → references to video → file on disk', async () => {
		const workflow = example('reference-to-video-from-urls.json');
		const node = workflow.nodes.find((candidate) => candidate.name === 'Make video from pictures')!;
		const execution = await run(workflow);
		expect(execution.status).toBe('success');
		const submits = emulator.requestsOf('submit').map((request) => request.json);
		expect(submits).toEqual([
			{
				model: 'happyhorse-1.0-r2v',
				input: {
					prompt: node.parameters.prompt,
					media: [
						{ type: 'reference_image', url: 'https://example.com/woman-in-red-coat.png' },
						{ type: 'reference_image', url: 'https://example.com/brown-dog.png' },
					],
				},
				parameters: { duration: 5, resolution: '720P', ratio: '9:16' },
			},
		]);
		expect(String(node.parameters.prompt)).toMatch(/\[Image 1\].*\[Image 2\]/);
		const [taskId] = emulator.createdTaskIds;
		const written = readFileSync(join(outputDir, `${taskId}.mp4`));
		expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
	});

	test('example: a picture from disk → upload → image to video → file on disk, bytes compared', async () => {
		const inputs = placeExampleInputs(outputDir);
		const execution = await run(example('image-to-video-from-disk.json'));
		expect(execution.status).toBe('success');
		const objects = [...emulator.uploadedObjects.values()];
		expect(objects.map((object) => object.contentType)).toEqual(['image/png']);
		expect(objects[0].bytes.equals(readFileSync(inputs.firstFrame))).toBe(true);
		expect(emulator.requestsOf('upload')[0].headers.authorization).toBeUndefined();
		const [submit] = emulator.requestsOf('submit');
		const body = submit.json as any;
		expect(body.model).toMatch(/^happyhorse-1\.[01]-i2v$/);
		// The upload was for the task's model: DashScope resolves it for no other.
		const [policy] = emulator.requestsOf('policy');
		expect(new URL(policy.path, emulator.origin).searchParams.get('model')).toBe(body.model);
		expect(objects[0].model).toBe(body.model);
		expect(body.input).toEqual({
			prompt: 'The camera slowly pulls back',
			media: [{ type: 'first_frame', url: `oss://${objects[0].key}` }],
		});
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		const [taskId] = emulator.createdTaskIds;
		expect(outputOf(execution, 'Animate picture').map((item) => item.json.taskId)).toEqual([
			taskId,
		]);
		const written = readFileSync(join(outputDir, `${taskId}.mp4`));
		expect(written.equals(emulator.resultBytes(taskId))).toBe(true);
	});

	/** Each new operation, its options all set, and the exact body each family's API gets. */
	const operationCases = () => {
		const sweater = `${emulator.origin}/samples/sweater.png`;
		const beach = `${emulator.origin}/samples/beach.png`;
		const textPrompt = 'A white horse gallops along a beach at sunrise';
		const imagePrompt = 'The waves roll in and the camera rises';
		const referencePrompt =
			'A man wears the sweater from [Image 1] on the windy beach from [Image 2]';
		const textParameters = {
			resolution: '1080P',
			ratio: '9:16',
			duration: 8,
			watermark: false,
			seed: 7,
		};
		const imageParameters = { resolution: '720P', duration: 4, seed: 3 };
		const referenceParameters = { ratio: '1:1', duration: 6, watermark: true };
		return {
			createTextToVideoTask: {
				parameters: { prompt: textPrompt },
				options: { ...textParameters },
				native: { input: { prompt: textPrompt }, parameters: textParameters },
				anyfast: { prompt: textPrompt, parameters: textParameters },
			},
			createImageToVideoTask: {
				parameters: { imageSource: 'url', imageUrl: beach, prompt: imagePrompt },
				options: { ...imageParameters },
				native: {
					input: { prompt: imagePrompt, media: [{ type: 'first_frame', url: beach }] },
					parameters: imageParameters,
				},
				anyfast: { prompt: imagePrompt, image: beach, parameters: imageParameters },
			},
			createReferenceToVideoTask: {
				parameters: {
					prompt: referencePrompt,
					referenceImages: {
						images: [
							{ source: 'url', url: sweater },
							{ source: 'url', url: beach },
						],
					},
				},
				options: { ...referenceParameters },
				native: {
					input: {
						prompt: referencePrompt,
						media: [
							{ type: 'reference_image', url: sweater },
							{ type: 'reference_image', url: beach },
						],
					},
					parameters: referenceParameters,
				},
				anyfast: {
					prompt: referencePrompt,
					images: [sweater, beach],
					parameters: referenceParameters,
				},
			},
		};
	};
	const MODEL_SUFFIX = {
		createTextToVideoTask: 't2v',
		createImageToVideoTask: 'i2v',
		createReferenceToVideoTask: 'r2v',
	} as const;

	test.each([
		['createTextToVideoTask', 'native'],
		['createTextToVideoTask', 'anyfast'],
		['createImageToVideoTask', 'native'],
		['createImageToVideoTask', 'anyfast'],
		['createReferenceToVideoTask', 'native'],
		['createReferenceToVideoTask', 'anyfast'],
	] as const)(
		'%s on the %s format sends exactly the documented body',
		async (operation, family) => {
			const cases = operationCases()[operation];
			// DashScope gets the 1.1 model, the gateway the 1.0 one it offers.
			const model = `happyhorse-${family === 'native' ? '1.1' : '1.0'}-${MODEL_SUFFIX[operation]}`;
			const workflow = oneNodeWorkflow(
				{
					operation,
					...cases.parameters,
					waitForCompletion: true,
					downloadVideo: true,
					options: { ...cases.options, model, pollInterval: 0.2 },
				},
				family,
			);
			const execution = await run(workflow);
			expect(execution.status).toBe('success');
			const submits = emulator.requestsOf('submit');
			expect(submits).toHaveLength(1);
			expect(submits[0].json).toEqual({ model, ...cases[family] });
			const [taskId] = emulator.createdTaskIds;
			const [item] = outputOf(execution, workflow.nodes[1].name);
			expect(item.json).toMatchObject({ taskId, status: 'SUCCEEDED' });
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId}.mp4` });
			// URLs go to the API as they are: nothing is uploaded, the upload host is not asked.
			expect(emulator.requestsOf('policy')).toHaveLength(0);
		},
	);

	test('a task that fails makes the execution fail with an error naming the task', async () => {
		emulator.taskScript = () => ({
			statuses: ['RUNNING', 'FAILED'],
			failure: {
				code: 'DataInspectionFailed',
				message: 'Input data may contain inappropriate content.',
			},
		});
		const execution = await run(example('edit-video-from-url-to-disk.json'));
		expect(execution.status).toBe('error');
		const [taskId] = emulator.createdTaskIds;
		expect(runOf(execution, 'Edit video').error?.message).toBe(
			`Task ${taskId} failed: DataInspectionFailed: Input data may contain inappropriate content.`,
		);
	});

	test('several items wait at once: 8 jobs under the 5-running limit finish in about two waves', async () => {
		emulator.sampleJobCount = 8;
		emulator.taskScript = () => ({ durationMs: 3_000 });
		const started = Date.now();
		const execution = await run(example('edit-video-from-url-to-disk.json'));
		const elapsed = Date.now() - started;
		expect(execution.status).toBe('success');
		expect(emulator.createdTaskIds).toHaveLength(8);
		expect(outputOf(execution, 'Edit video').map((item) => item.json.status)).toEqual(
			Array(8).fill('SUCCEEDED'),
		);
		// One after another would take 8 × 3 s; all at once under the limit, two waves of 3 s.
		const starts = emulator.createdTaskIds.map((taskId) => emulator.taskTimes(taskId).startedAt!);
		expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(8_000);
		expect(elapsed).toBeLessThan(16_000);
	});

	test('a stop while waiting cancels the PENDING tasks and ends the execution', async () => {
		emulator.sampleJobCount = 3;
		emulator.limits.maxRunningTasks = 1;
		emulator.taskScript = () => ({ durationMs: 120_000 });
		const workflow = example('edit-video-from-url-to-disk.json');
		const saved = await client.createWorkflow({ ...workflow, name: `stop ${Date.now()}` });
		const executionId = await client.runWorkflow(saved, triggerNodeName(workflow));
		while (emulator.requestsOf('query').length < 3) await new Promise((r) => setTimeout(r, 100));
		await client.request('POST', `/rest/executions/${executionId}/stop`);
		const execution = await client.waitForExecution(executionId, 60_000);
		expect(execution.status).toBe('canceled');
		const [, ...pending] = emulator.createdTaskIds;
		for (
			let waited = 0;
			emulator.requestsOf('cancel').length < 2 && waited < 5_000;
			waited += 100
		) {
			await new Promise((r) => setTimeout(r, 100));
		}
		const canceled = emulator.requestsOf('cancel').map((request) => request.path.split('/')[4]);
		expect(canceled.sort()).toEqual([...pending].sort());
	});

	test('continue-on-fail gives one output per input: the failed job carries its error', async () => {
		emulator.taskScript = (body) =>
			String(body.input.prompt).includes('beach')
				? { statuses: ['FAILED'], failure: { code: 'InternalError', message: 'boom' } }
				: {};
		const workflow = example('edit-video-from-url-to-disk.json');
		workflow.nodes.find((node) => node.name === 'Edit video')!.onError = 'continueRegularOutput';
		// The failed job has no video to store: the disk node carries on too.
		workflow.nodes.find((node) => node.name === 'Store edited video')!.onError =
			'continueRegularOutput';
		const execution = await run(workflow);
		expect(execution.status).toBe('success');
		const [good, failed] = emulator.createdTaskIds;
		const edited = outputOf(execution, 'Edit video');
		expect(edited.map((item) => [item.json.taskId, item.json.status])).toEqual([
			[good, 'SUCCEEDED'],
			[failed, 'FAILED'],
		]);
		expect(edited[1].json.error).toBe(`Task ${failed} failed: InternalError: boom`);
	});
});

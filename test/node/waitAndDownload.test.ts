import { ftypBox } from '../../dev/emulator';
import {
	FAMILIES,
	createParameters,
	credentialsFor,
	useEmulator,
	worstCaseEditEstimate,
} from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

function binaryBytes(data: { data: string }): Buffer {
	return Buffer.from(data.data, 'base64');
}

describe.each(FAMILIES)('waiting on the %s family', (family) => {
	test('polls PENDING → RUNNING → SUCCEEDED, then downloads the video into the binary field', async () => {
		const videoBytes = Buffer.concat([
			ftypBox(),
			Buffer.from(`edited video of ${family}`.repeat(5000)),
		]);
		emulator.taskScript = () => ({ videoBytes });
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ options: { binaryPropertyName: 'edited' } }),
		});
		expect(error).toBeUndefined();
		const [taskId] = emulator.createdTaskIds;
		expect(emulator.requestsOf('query')).toHaveLength(3);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.json).toEqual({
			taskId,
			status: 'SUCCEEDED',
			videoUrl: `${emulator.origin}/results/${taskId}.mp4?Expires=1777777777&OSSAccessKeyId=emu&Signature=abc`,
			usage:
				family === 'native' ? expect.objectContaining({ duration: 13.24 }) : expect.any(Object),
			...(family === 'native' ? { requestId: expect.any(String) } : {}),
			submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			startedAt: expect.stringMatching(/Z$/),
			finishedAt: expect.stringMatching(/Z$/),
			// The emulator's sample usage on both families; the custom endpoint has no price.
			cost: { billedSeconds: 13.24, amount: null, currency: null },
			estimate: worstCaseEditEstimate(),
		});
		expect(Object.keys(item.binary ?? {})).toEqual(['edited']);
		const binary = item.binary!.edited;
		expect(binary.mimeType).toBe('video/mp4');
		expect(binary.fileName).toBe(`${taskId}.mp4`);
		expect(binaryBytes(binary).equals(videoBytes)).toBe(true);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('reports submit time in UTC within a minute of now', async () => {
		const { items } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ downloadVideo: false }),
		});
		const submitted = Date.parse(items[0].json.submittedAt as string);
		expect(Math.abs(submitted - Date.now())).toBeLessThan(60_000);
		expect(items[0].binary).toBeUndefined();
		expect(emulator.requestsOf('download')).toHaveLength(0);
	});

	test('a FAILED task is an error that names the task, its code and its message', async () => {
		emulator.taskScript = () => ({
			statuses: family === 'native' ? ['PENDING', 'FAILED'] : ['QUEUED', 'FAILURE'],
			failure: { code: 'InvalidParameter', message: 'The resolution is not valid' },
		});
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters(),
		});
		const [taskId] = emulator.createdTaskIds;
		expect(items).toEqual([]);
		expect(error?.message).toBe(
			family === 'native'
				? `Task ${taskId} failed: InvalidParameter: The resolution is not valid`
				: `Task ${taskId} failed: InvalidParameter: The resolution is not valid`,
		);
		expect(emulator.requestsOf('download')).toHaveLength(0);
	});

	test('with continue-on-fail a FAILED task gives its item { taskId, status, error }', async () => {
		emulator.taskScript = () => ({
			statuses: family === 'native' ? ['RUNNING', 'FAILED'] : ['IN_PROGRESS', 'FAILURE'],
			failure: {
				code: 'DataInspectionFailed',
				message: 'Input data may contain inappropriate content.',
			},
		});
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		const [taskId] = emulator.createdTaskIds;
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			taskId,
			status: 'FAILED',
			errorCode: 'DataInspectionFailed',
			errorMessage: 'Input data may contain inappropriate content.',
			error: `Task ${taskId} failed: DataInspectionFailed: Input data may contain inappropriate content.`,
		});
		expect(items[0].binary).toBeUndefined();
	});

	test('a timeout names the task and says how to resume with Get Task', async () => {
		emulator.taskScript = () => ({ statuses: [family === 'native' ? 'RUNNING' : 'IN_PROGRESS'] });
		const { error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ options: { timeout: 0.2, pollInterval: 0.05 } }),
		});
		const [taskId] = emulator.createdTaskIds;
		expect(error?.message).toBe(`Task ${taskId} is still RUNNING after 0 s`);
		expect(error?.description).toContain(`Get Task operation with task ID ${taskId}`);
		expect(emulator.createdTaskIds).toHaveLength(1);
	});
});

test('an UNKNOWN task is an error that says why a task can be unknown', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: {
			operation: 'getTask',
			taskId: 'no-such-task',
			waitForCompletion: true,
			options: { pollInterval: 0.01 },
		},
	});
	expect(error?.message).toBe('Task no-such-task is unknown to the API');
	expect(error?.description).toContain('older than 24 hours');
});

test('a CANCELED task is an error while waiting', async () => {
	emulator.taskScript = () => ({ statuses: ['PENDING', 'CANCELED'] });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error?.message).toBe(`Task ${emulator.createdTaskIds[0]} was canceled`);
});

test('stopping the execution ends the wait at once, and the error lists the task IDs', async () => {
	emulator.taskScript = () => ({ statuses: ['RUNNING'] });
	const { run, items, executeSettled } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }],
		parameters: createParameters({ options: { pollInterval: 30, timeout: 600 } }),
		cancelAfterMs: 300,
	});
	const stoppedAt = Date.now();
	expect(run.status).toBe('canceled');
	expect(items).toEqual([]);
	expect(emulator.createdTaskIds).toHaveLength(2);
	// The node sleeps 30 s between checks: only the cancel signal can end its wait this soon.
	const outcome = await executeSettled;
	expect(outcome.settledAt - stoppedAt).toBeLessThan(1_000);
	for (const taskId of emulator.createdTaskIds) expect(outcome.error?.message).toContain(taskId);
});

describe('Get Task', () => {
	test.each(FAMILIES)(
		'reads a %s task once without waiting, whatever its status',
		async (family) => {
			emulator.taskScript = () => ({
				statuses: family === 'native' ? ['FAILED'] : ['FAILURE'],
				failure: { code: 'InternalError', message: 'boom' },
			});
			await runNode({
				credentials: credentialsFor(emulator, family),
				parameters: createParameters({ waitForCompletion: false }),
			});
			const [taskId] = emulator.createdTaskIds;
			emulator.requests.length = 0;
			const { items, error } = await runNode({
				credentials: credentialsFor(emulator, family),
				parameters: { operation: 'getTask', taskId: ` ${taskId} ` },
			});
			expect(error).toBeUndefined();
			expect(emulator.requests.map((request) => request.kind)).toEqual(['query']);
			expect(items[0].json).toMatchObject({
				taskId,
				status: 'FAILED',
				errorCode: 'InternalError',
				errorMessage: 'boom',
			});
		},
	);

	test.each(FAMILIES)('waits for a %s task and downloads the video', async (family) => {
		await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ waitForCompletion: false }),
		});
		const [taskId] = emulator.createdTaskIds;
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: {
				operation: 'getTask',
				taskId,
				waitForCompletion: true,
				options: { pollInterval: 0.01 },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('SUCCEEDED');
		expect(binaryBytes(items[0].binary!.data).equals(emulator.resultBytes(taskId))).toBe(true);
		expect(items[0].binary!.data.fileName).toBe(`${taskId}.mp4`);
	});

	test('an unknown Anyfast task (400 task_not_exist) reads as UNKNOWN', async () => {
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: { operation: 'getTask', taskId: 'asyntask_missing' },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ taskId: 'asyntask_missing', status: 'UNKNOWN' });
	});
});

describe('Anyfast statuses in the native vocabulary', () => {
	const table: Array<[string, string]> = [
		['NOT_START', 'PENDING'],
		['SUBMITTED', 'PENDING'],
		['QUEUED', 'PENDING'],
		['IN_PROGRESS', 'RUNNING'],
		['SUCCESS', 'SUCCEEDED'],
		['FAILURE', 'FAILED'],
		['UNKNOWN', 'UNKNOWN'],
	];
	test.each(table)('%s → %s', async (anyfastStatus, nativeStatus) => {
		emulator.taskScript = () => ({ statuses: [anyfastStatus] });
		await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: createParameters({ waitForCompletion: false }),
		});
		const [taskId] = emulator.createdTaskIds;
		const { items } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: { operation: 'getTask', taskId },
		});
		expect(items[0].json.status).toBe(nativeStatus);
		// A success's fail_reason holds a copy of the URL: it must not read as an error.
		if (nativeStatus === 'SUCCEEDED') {
			expect(items[0].json.errorMessage).toBeUndefined();
			expect(items[0].json.videoUrl).toContain(`/results/${taskId}.mp4`);
		}
	});
});

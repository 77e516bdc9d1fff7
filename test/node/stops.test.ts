import { binaryOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { fixture } from './binaryRoundTrip';
import { useHostileVideoHost } from './videoHost';

/**
 * A stop at any stage cancels every task this execution created that may still be PENDING, and
 * the error says which were canceled and which run on, with their items.
 */
const emulator = useEmulator();
const host = useHostileVideoHost();

function canceledIds(): string[] {
	return emulator.requestsOf('cancel').map((request) => request.path.split('/')[4]);
}

async function stoppedRun(options: Parameters<typeof runNode>[0]) {
	const { run, executeSettled } = await runNode(options);
	const outcome = await executeSettled;
	return {
		run,
		error: outcome.error as (Error & { description?: string }) | undefined,
	};
}

test('a stop during the upload of item 2 cancels the PENDING tasks of items 0 and 1', async () => {
	emulator.failNextWith('upload', { type: 'slow', delayMs: 20_000 });
	const { run, error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		items: [
			{ json: { source: 'url' } },
			{ json: { source: 'url' } },
			{
				json: { source: 'binary' },
				binary: { data: await binaryOf(fixture('good.mp4'), 'default') },
			},
		],
		parameters: createParameters({
			videoSource: '={{ $json.source }}',
			videoBinaryProperty: 'data',
		}),
		cancelAfterMs: 1_000,
	});
	expect(run.status).toBe('canceled');
	const [first, second] = emulator.createdTaskIds;
	expect(emulator.createdTaskIds).toHaveLength(2);
	expect(canceledIds().sort()).toEqual([first, second].sort());
	expect(error?.message).toBe(
		`The execution was stopped while uploading files and submitting tasks (item 0: ${first}, item 1: ${second})`,
	);
	expect(error?.description).toBe(
		`Canceled the tasks that had not started: item 0: ${first}, item 1: ${second}.`,
	);
});

test('a stop during a Retry-After wait of a submit cancels the task already created', async () => {
	emulator.failNextWith('submit', { type: 'slow', delayMs: 0 });
	emulator.failNextWith('submit', {
		type: 'status',
		status: 429,
		headers: { 'retry-after': '30' },
		body: { code: 'Throttling.RateQuota', message: 'slow down' },
	});
	const { error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }],
		parameters: createParameters({ options: { timeout: 600 } }),
		cancelAfterMs: 1_000,
	});
	const [first] = emulator.createdTaskIds;
	expect(emulator.createdTaskIds).toHaveLength(1);
	expect(emulator.requestsOf('submit')).toHaveLength(2);
	expect(canceledIds()).toEqual([first]);
	expect(error?.message).toBe(
		`The execution was stopped while uploading files and submitting tasks (item 0: ${first})`,
	);
	expect(error?.description).toBe(`Canceled the tasks that had not started: item 0: ${first}.`);
});

test('a stop while waiting cancels the PENDING tasks and lists the running one', async () => {
	emulator.limits.maxRunningTasks = 1;
	emulator.taskScript = () => ({ durationMs: 60_000 });
	const { run, error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }, { json: {} }],
		parameters: createParameters({ options: { timeout: 600 } }),
		cancelAfterMs: 1_500,
	});
	expect(run.status).toBe('canceled');
	const [running, second, third] = emulator.createdTaskIds;
	expect(canceledIds().sort()).toEqual([second, third].sort());
	expect(error?.message).toBe(
		`The execution was stopped while waiting for tasks (item 0: ${running}, item 1: ${second}, item 2: ${third})`,
	);
	expect(error?.description).toBe(
		`Canceled the tasks that had not started: item 1: ${second}, item 2: ${third}. These go on running on the server; collect them later with Get Task: item 0: ${running}.`,
	);
});

test('a stop during the download makes execute() throw, and cancels nothing that ran', async () => {
	emulator.taskScript = () => ({ videoUrl: host.url('/trickle') });
	const { run, error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }],
		parameters: createParameters({ options: { timeout: 600 } }),
		cancelAfterMs: 1_500,
	});
	expect(run.status).toBe('canceled');
	const [taskId] = emulator.createdTaskIds;
	expect(host.hitsOf('/trickle')).toBe(1);
	expect(emulator.requestsOf('cancel')).toHaveLength(0);
	expect(error?.message).toBe(
		`The execution was stopped while downloading videos (item 0: ${taskId})`,
	);
	expect(error?.description).toBe(
		`These had finished; collect their videos with Get Task: item 0: ${taskId}.`,
	);
});

test('a stop while Get Task waits does not cancel a task this execution did not create', async () => {
	const created = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ waitForCompletion: false }),
	});
	const taskId = created.items[0].json.taskId as string;
	emulator.taskScript = () => ({});
	const { error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		parameters: {
			operation: 'getTask',
			taskId,
			waitForCompletion: true,
			options: { pollInterval: 60, timeout: 600 },
		},
		cancelAfterMs: 500,
	});
	expect(emulator.requestsOf('cancel')).toHaveLength(0);
	expect(error?.message).toBe(
		`The execution was stopped while waiting for tasks (item 0: ${taskId})`,
	);
});

test('a stop while a submit is on the wire says that submit may have created a task', async () => {
	emulator.failNextWith('submit', { type: 'slow', delayMs: 3_000 });
	const { error } = await stoppedRun({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
		cancelAfterMs: 1_000,
	});
	expect(emulator.requestsOf('cancel')).toHaveLength(0);
	expect(error?.message).toBe(
		'The execution was stopped while uploading files and submitting tasks',
	);
	expect(error?.description).toBe(
		'The submit of item 0 was under way when the stop came: it may have created a task; check with the List Tasks operation before running it again.',
	);
});

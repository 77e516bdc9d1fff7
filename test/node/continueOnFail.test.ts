import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

const EMPTY_PROMPT =
	'Item 1: Prompt is empty: describe the edit, e.g. "replace the background with a beach at sunset"';

/** Items whose prompt picks their fate in the emulator. */
const mixedItems = [
	{ json: { prompt: 'good one' } },
	{ json: { prompt: '' } },
	{ json: { prompt: 'fails on the server' } },
	{ json: { prompt: 'good two' } },
];

beforeEach(() => {
	emulator.taskScript = (body) =>
		body.input.prompt === 'fails on the server'
			? { statuses: ['RUNNING', 'FAILED'], failure: { code: 'InternalError', message: 'boom' } }
			: {};
});

test('continue-on-fail: one output per input, in order, each with its own outcome', async () => {
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: mixedItems,
		parameters: createParameters({ prompt: '={{ $json.prompt }}', referenceImages: {} }),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	// The invalid item is never submitted: three tasks for four items.
	const [first, failing, second] = emulator.createdTaskIds;
	expect(emulator.createdTaskIds).toHaveLength(3);
	expect(items.map((item) => item.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
		{ item: 2 },
		{ item: 3 },
	]);
	expect(items.map((item) => [item.json.taskId, item.json.status])).toEqual([
		[first, 'SUCCEEDED'],
		[null, null],
		[failing, 'FAILED'],
		[second, 'SUCCEEDED'],
	]);
	expect(items[1].json.error).toBe(EMPTY_PROMPT);
	expect(items[2].json.error).toBe(`Task ${failing} failed: InternalError: boom`);
	expect(items[0].binary?.data.fileName).toBe(`${first}.mp4`);
	expect(items[1].binary).toBeUndefined();
	expect(items[2].binary).toBeUndefined();
	expect(items[3].binary?.data.fileName).toBe(`${second}.mp4`);
});

test('without continue-on-fail a bad item stops the node before any task is paid for', async () => {
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: mixedItems,
		parameters: createParameters({ prompt: '={{ $json.prompt }}', referenceImages: {} }),
	});
	expect(items).toEqual([]);
	expect(error?.message).toBe(EMPTY_PROMPT);
	expect(emulator.requests).toHaveLength(0);
});

test('without continue-on-fail a failed task lists the tasks the other items created', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: mixedItems.filter((item) => item.json.prompt !== ''),
		parameters: createParameters({ prompt: '={{ $json.prompt }}', referenceImages: {} }),
	});
	const [first, failing, second] = emulator.createdTaskIds;
	expect(error?.message).toBe(`Task ${failing} failed: InternalError: boom`);
	expect(error?.description).toContain(`item 0: ${first}`);
	expect(error?.description).toContain(`item 2: ${second}`);
	expect(error?.description).toContain('collect with Get Task');
});

test('a submit that fails midway stops further submits and lists the tasks already created', async () => {
	// The first submit succeeds, the second answers 500: the third is never sent.
	emulator.failNext('submit', {
		status: 200,
		body: { output: { task_id: 'first-task', task_status: 'PENDING' }, request_id: 'r-1' },
	});
	emulator.failNext('submit', {
		status: 500,
		body: { code: 'InternalError', message: 'Internal server error', request_id: 'r-500' },
	});
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }, { json: {} }],
		parameters: createParameters({ waitForCompletion: false }),
	});
	expect(emulator.requestsOf('submit')).toHaveLength(2);
	expect(error?.message).toBe(
		'Creating the edit task failed (HTTP 500): InternalError: Internal server error',
	);
	expect(error?.description).toContain('item 0: first-task (PENDING)');
});

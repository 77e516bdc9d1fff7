import { createServer } from 'node:net';

import type { Fault, SubmitFault } from '../../dev/emulator';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

/**
 * Every fault on every call: the outcome, and how many tasks the emulator created. A task is
 * never created twice: a submit is repeated only where the API provably did nothing.
 */
const emulator = useEmulator();

const retried = 'retried: the item succeeds';

describe('faults of the submit', () => {
	const cases: Array<[string, SubmitFault, 'ok' | RegExp, number]> = [
		[
			'429 with Retry-After',
			{
				type: 'status',
				status: 429,
				headers: { 'retry-after': '1' },
				body: { code: 'Throttling.RateQuota', message: 'slow down' },
			},
			'ok',
			1,
		],
		['a slow answer', { type: 'slow', delayMs: 800 }, 'ok', 1],
		[
			'a reset before the task exists',
			{ type: 'reset' },
			/Could not reach the HappyHorse API .*: the connection was reset/,
			0,
		],
		[
			'a reset after the task was created',
			{ type: 'reset', afterCreate: true },
			/the connection was reset/,
			1,
		],
		[
			'500 after the task was created',
			{ type: 'status500AfterCreate' },
			/Creating the edit task failed \(HTTP 500\)/,
			1,
		],
		['502 with an HTML page', { type: 'html502' }, /Creating the edit task failed \(HTTP 502\)/, 0],
		['malformed JSON', { type: 'malformed' }, /unexpected answer to the submit/, 0],
	];

	test.each(cases)('%s', async (_, fault, outcome, tasks) => {
		emulator.failNextWith('submit', fault);
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: createParameters({ waitForCompletion: false }),
		});
		expect(emulator.createdTaskIds).toHaveLength(tasks);
		if (outcome === 'ok') {
			expect(error).toBeUndefined();
			expect(items[0].json.taskId).toBe(emulator.createdTaskIds[0]);
			return;
		}
		// Ambiguous: never sent again, and the user is told a task may exist.
		expect(emulator.requestsOf('submit')).toHaveLength(1);
		expect(error?.message).toMatch(outcome);
		expect(error?.description).toContain('a submit may have created a task');
		expect(error?.description).toContain('List Tasks');
	});

	test('a refused connection is retried: nothing reached the API', async () => {
		const port = await freePort();
		const run = runNode({
			credentials: {
				apiKey: emulator.apiKey,
				endpoint: 'custom',
				baseUrl: `http://127.0.0.1:${port}/api/v1`,
				apiFormat: 'native',
			},
			parameters: createParameters({ waitForCompletion: false, options: { timeout: 20 } }),
		});
		// The API comes up while the node is retrying.
		await new Promise((resolve) => setTimeout(resolve, 700));
		const late = new (
			emulator.constructor as typeof import('../../dev/emulator').HappyHorseEmulator
		)();
		await late.start(port);
		try {
			const { items, error } = await run;
			expect(error).toBeUndefined();
			expect(late.createdTaskIds).toHaveLength(1);
			expect(items[0].json.taskId).toBe(late.createdTaskIds[0]);
		} finally {
			await late.stop();
		}
	});
});

describe.each(['query', 'download'] as const)('faults of the %s are retried', (kind) => {
	const faults: Array<[string, Fault]> = [
		[
			'429 with Retry-After',
			{
				type: 'status',
				status: 429,
				headers: { 'retry-after': '1' },
				body: { code: 'Throttling', message: 'slow down' },
			},
		],
		['500', { type: 'status', status: 500, body: { code: 'InternalError', message: 'oops' } }],
		['502 with an HTML page', { type: 'html502' }],
		['a reset connection', { type: 'reset' }],
		['a slow answer', { type: 'slow', delayMs: 800 }],
		...(kind === 'query' ? [['malformed JSON', { type: 'malformed' }] as [string, Fault]] : []),
	];

	test.each(faults)(`%s: ${retried}`, async (_, fault) => {
		emulator.failNextWith(kind, fault);
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: createParameters({ options: { timeout: 30 } }),
		});
		expect(error).toBeUndefined();
		expect(emulator.createdTaskIds).toHaveLength(1);
		const [taskId] = emulator.createdTaskIds;
		expect(items[0].json.status).toBe('SUCCEEDED');
		const bytes = Buffer.from(items[0].binary!.data.data, 'base64');
		expect(bytes.equals(emulator.resultBytes(taskId))).toBe(true);
		// Without the fault: 3 status queries (PENDING, RUNNING, SUCCEEDED) and 1 download.
		const normal = kind === 'query' ? 3 : 1;
		const extra = fault.type === 'slow' ? 0 : 1;
		expect(emulator.requestsOf(kind)).toHaveLength(normal + extra);
	});
});

test('a 403 on the download is not retried', async () => {
	emulator.failNext('download', { status: 403, body: 'expired' });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error?.message).toBe(
		`Downloading the video of task ${emulator.createdTaskIds[0]} failed (HTTP 403)`,
	);
	expect(emulator.requestsOf('download')).toHaveLength(1);
});

test('continue-on-fail: a task that times out fails only its item while the others finish', async () => {
	emulator.taskScript = (body) => (body.input.prompt === 'slow' ? { statuses: ['RUNNING'] } : {});
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: { p: 'fast' } }, { json: { p: 'slow' } }, { json: { p: 'fast too' } }],
		parameters: createParameters({ prompt: '={{ $json.p }}', options: { timeout: 1.5 } }),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	const [first, slow, third] = emulator.createdTaskIds;
	expect(items.map((item) => [item.json.taskId, item.json.status])).toEqual([
		[first, 'SUCCEEDED'],
		[slow, 'RUNNING'],
		[third, 'SUCCEEDED'],
	]);
	expect(items[1].json.error).toBe(`Task ${slow} is still RUNNING after 2 s`);
	expect(items[0].binary?.data).toBeDefined();
	expect(items[2].binary?.data).toBeDefined();
});

async function freePort(): Promise<number> {
	return await new Promise((resolve) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

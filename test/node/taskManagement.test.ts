import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

async function submit(count: number, family: 'native' | 'anyfast' = 'native') {
	await runNode({
		credentials: credentialsFor(emulator, family),
		items: Array.from({ length: count }, () => ({ json: {} })),
		parameters: createParameters({ waitForCompletion: false }),
	});
	return [...emulator.createdTaskIds];
}

describe('Cancel Task', () => {
	test('cancels a PENDING task', async () => {
		const [taskId] = await submit(1);
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'cancelTask', taskId },
		});
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: { taskId, status: 'CANCELED', requestId: expect.any(String) },
				pairedItem: { item: 0 },
			},
		]);
		const [cancel] = emulator.requestsOf('cancel');
		expect(cancel.method).toBe('POST');
		expect(cancel.path).toBe(`/api/v1/tasks/${taskId}/cancel`);
		expect(cancel.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
	});

	test('a RUNNING task gets a clear explanation', async () => {
		emulator.taskScript = () => ({ statuses: ['RUNNING'] });
		const [taskId] = await submit(1);
		// The emulator knows the task is RUNNING once someone looked.
		await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'getTask', taskId },
		});
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'cancelTask', taskId },
		});
		expect(error?.message).toBe(`Task ${taskId} cannot be canceled: it is RUNNING`);
		expect(error?.description).toContain('only tasks that are still PENDING');
	});

	test('on Anyfast it is a clear error, and nothing is sent', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: { operation: 'cancelTask', taskId: 'asyntask_x' },
		});
		expect(error?.message).toBe(
			'Cancel Task is not available on the Anyfast gateway (task asyntask_x)',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('List Tasks', () => {
	test('lists the tasks of a time window, with the filters sent as the API wants them', async () => {
		const created = await submit(3);
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: {
				operation: 'listTasks',
				startTime: '2026-11-20T00:00:00Z',
				endTime: '2026-11-20T12:30:00Z',
				status: 'PENDING',
				model: 'happyhorse-1.0-video-edit',
				returnAll: true,
			},
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.taskId).sort()).toEqual([...created].sort());
		expect(items[0].json).toMatchObject({ status: 'PENDING', model: 'happyhorse-1.0-video-edit' });
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const [list] = emulator.requestsOf('list');
		const query = Object.fromEntries(new URL(list.path, emulator.origin).searchParams);
		// Beijing time (UTC+8), as DashScope's other times.
		expect(query).toEqual({
			start_time: '20261120080000',
			end_time: '20261120203000',
			page_no: '1',
			page_size: '100',
			model_name: 'happyhorse-1.0-video-edit',
			status: 'PENDING',
		});
	});

	test('by default lists the tasks of every HappyHorse model, and only those', async () => {
		const queries: URLSearchParams[] = [];
		// The account also ran another model's task: DashScope lists it when no model is asked for.
		const server = createServer((request, response) => {
			queries.push(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams);
			const data = [
				{ task_id: 't2v-1', status: 'SUCCEEDED', model_name: 'happyhorse-1.1-t2v' },
				{ task_id: 'wan-1', status: 'SUCCEEDED', model_name: 'wan2.2-t2v-plus' },
				{ task_id: 'edit-1', status: 'RUNNING', model_name: 'happyhorse-1.0-video-edit' },
			];
			response.setHeader('Content-Type', 'application/json');
			response.end(JSON.stringify({ total: 3, total_page: 1, data }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		try {
			const { items, error } = await runNode({
				credentials: {
					apiKey: 'sk-list',
					endpoint: 'custom',
					baseUrl: `http://127.0.0.1:${port}/api/v1`,
					apiFormat: 'native',
				},
				parameters: { operation: 'listTasks', returnAll: true },
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.taskId)).toEqual(['t2v-1', 'edit-1']);
			expect(queries).toHaveLength(1);
			expect(queries[0].has('model_name')).toBe(false);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	test('a limit stops early', async () => {
		await submit(3);
		const { items } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'listTasks', returnAll: false, limit: 2 },
		});
		expect(items).toHaveLength(2);
	});

	test('a window longer than 24 hours fails before any request', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: {
				operation: 'listTasks',
				startTime: '2026-11-18T00:00:00Z',
				endTime: '2026-11-20T00:00:00Z',
			},
		});
		expect(error?.message).toBe(
			'Item 0: Submitted After and Submitted Before must span 0 to 24 hours',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('on Anyfast it is a clear error', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: { operation: 'listTasks' },
		});
		expect(error?.message).toBe('List Tasks is not available on the Anyfast gateway');
	});
});

describe("the account's rate limits", () => {
	test('12 submits stay under 5 per second: no 429, one task per item', async () => {
		emulator.limits.submitsPerSecond = 5;
		const started = Date.now();
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: Array.from({ length: 12 }, () => ({ json: {} })),
			parameters: createParameters({ waitForCompletion: false }),
		});
		expect(error).toBeUndefined();
		expect(emulator.throttled.submit).toBe(0);
		expect(emulator.createdTaskIds).toHaveLength(12);
		expect(items.map((item) => item.json.taskId)).toEqual(emulator.createdTaskIds);
		// 12 submits at 5 per second cannot take less than two windows.
		expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
	});

	test('waiting on 30 tasks at once stays under 20 status queries per second', async () => {
		emulator.limits.queriesPerSecond = 20;
		emulator.limits.maxRunningTasks = 30;
		emulator.taskScript = () => ({ durationMs: 2_500 });
		const { items, error } = await runNode({
			credentials: { ...credentialsFor(emulator, 'native'), submitsPerSecond: 100 },
			items: Array.from({ length: 30 }, () => ({ json: {} })),
			parameters: createParameters({ downloadVideo: false, options: { pollInterval: 0.2 } }),
		});
		expect(error).toBeUndefined();
		expect(emulator.throttled.query).toBe(0);
		expect(items.map((item) => item.json.status)).toEqual(Array(30).fill('SUCCEEDED'));
	});
});

import { runNode } from '../../dev/harness/runNode';
import { processRunTimes, runKindOf } from '../../nodes/HappyHorse/pipeline/runTimeMemory';
import { WAIT_BUDGET_FRACTION, accountsWaiting } from '../../nodes/HappyHorse/transport/waitBudget';
import { credentialsFor, useEmulator } from '../fixtures';

/**
 * The wait budget (transport/waitBudget.ts) and the schedule (pipeline/poll.ts) through n8n's
 * engine: the waits of a process never look more often than their budget, and a lone task is
 * seen within the budget's gap of its end, however its start is told.
 */
const emulator = useEmulator();

beforeEach(() => processRunTimes.clear());

function textToVideo(options: Record<string, unknown> = {}) {
	return {
		operation: 'createTextToVideoTask',
		prompt: '={{ "A red fox in the snow, take " + $json.take }}',
		waitForCompletion: true,
		downloadVideo: false,
		options: { resolution: '720P', duration: 5, ...options },
	};
}

test('100 tasks waiting at once in one process: never more queries per second than the budget', async () => {
	const queriesPerSecond = 40;
	const budget = queriesPerSecond * WAIT_BUDGET_FRACTION;
	// The account runs all of them at once, and takes them as fast as they come.
	emulator.limits = { maxRunningTasks: 100, queriesPerSecond };
	emulator.taskScript = () => ({ durationMs: 2_000 });
	const { items, error } = await runNode({
		credentials: { ...credentialsFor(emulator, 'native'), queriesPerSecond, submitsPerSecond: 1e6 },
		items: Array.from({ length: 100 }, (_, take) => ({ json: { take } })),
		parameters: textToVideo(),
	});
	expect(error).toBeUndefined();
	expect(items.map((item) => item.json.status)).toEqual(Array(100).fill('SUCCEEDED'));
	expect(emulator.throttled).toEqual({ submit: 0, query: 0 });
	const peak = emulator.peakPerSecond('query');
	expect(peak).toBeLessThanOrEqual(budget);
	// The budget is spent, not left idle: the first looks of a hundred tasks fill it.
	expect(peak).toBeGreaterThanOrEqual(budget / 2);
	// Every task was looked at until it was seen ended, and the count left with the wait.
	const looked = new Set(emulator.requestsOf('query').map((r) => r.path.split('/').pop()));
	expect(looked).toEqual(new Set(emulator.createdTaskIds));
	expect(accountsWaiting()).toBe(0);
});

describe.each([
	['with scheduled_time while RUNNING', true],
	['without scheduled_time while RUNNING', false],
])('a lone task, %s', (_, startTimeWhileRunning) => {
	/** The lone task's budget gap: one look a second (rule 1, one task on a 10 per second budget). */
	const BUDGET_GAP_MS = 1_000;
	/** For the engine's timers on a busy machine; the schedule itself aims at the gap. */
	const SLACK_MS = 400;
	const RUN_MS = 5_000;

	/** From the task's end to the first query that saw it ended. */
	function lag(taskId: string): number {
		const { finishedAt } = emulator.taskTimes(taskId);
		const seen = emulator
			.requestsOf('query')
			.filter((r) => r.path.endsWith(`/tasks/${taskId}`) && r.receivedAt >= finishedAt!);
		return seen[0].receivedAt - finishedAt!;
	}

	test('is seen within the budget gap of its end, first unknown, then remembered', async () => {
		emulator.startTimeWhileRunning = startTimeWhileRunning;
		emulator.taskScript = () => ({ durationMs: RUN_MS });
		const credentials = credentialsFor(emulator, 'native');
		const kind = runKindOf(emulator.nativeBaseUrl, {
			model: 'happyhorse-1.0-t2v',
			input: {},
			parameters: { resolution: '720P', duration: 5 },
		});
		expect(processRunTimes.expectedRun(kind)).toBeUndefined();

		for (const take of [0, 1]) {
			const { items, error } = await runNode({
				credentials,
				items: [{ json: { take } }],
				parameters: textToVideo(),
			});
			expect(error).toBeUndefined();
			expect(items[0].json.status).toBe('SUCCEEDED');
			const taskId = emulator.createdTaskIds[take];
			expect(lag(taskId)).toBeLessThanOrEqual(BUDGET_GAP_MS + SLACK_MS);
			// The run is learned from the API's own start and end times, to the millisecond.
			expect(processRunTimes.expectedRun(kind)).toBe(RUN_MS);
		}
	});
});

test("the emulator's switch: a RUNNING answer tells its start, or only the end's answer does", async () => {
	emulator.taskScript = () => ({ durationMs: 1_500 });
	const headers = { Authorization: `Bearer ${emulator.apiKey}` };
	const submit = async (family: 'native' | 'anyfast') => {
		const native = family === 'native';
		const response = await fetch(
			native
				? `${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`
				: `${emulator.anyfastBaseUrl}/v1/video/generations`,
			{
				method: 'POST',
				headers: { ...headers, 'X-DashScope-Async': 'enable', 'Content-Type': 'application/json' },
				body: JSON.stringify({
					model: 'happyhorse-1.0-t2v',
					...(native ? { input: { prompt: 'a fox' } } : { prompt: 'a fox' }),
				}),
			},
		);
		const body = (await response.json()) as { output?: { task_id: string }; task_id?: string };
		return body.output?.task_id ?? body.task_id!;
	};
	const query = async (taskId: string) => {
		const native = !taskId.startsWith('asyntask_');
		const url = native
			? `${emulator.nativeBaseUrl}/tasks/${taskId}`
			: `${emulator.anyfastBaseUrl}/v1/video/generations/${taskId}`;
		const body = (await (await fetch(url, { headers })).json()) as {
			output?: Record<string, unknown>;
			data?: Record<string, unknown>;
		};
		return native
			? { status: body.output!.task_status, start: body.output!.scheduled_time }
			: { status: body.data!.status, start: body.data!.start_time };
	};
	for (const told of [true, false]) {
		emulator.startTimeWhileRunning = told;
		const ids = [await submit('native'), await submit('anyfast')];
		await new Promise((resolve) => setTimeout(resolve, 200));
		const [native, anyfast] = await Promise.all(ids.map(query));
		expect(native.status).toBe('RUNNING');
		expect(anyfast.status).toBe('IN_PROGRESS');
		if (told) {
			expect(native.start).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
			expect(anyfast.start).toEqual(expect.any(Number));
			expect(anyfast.start).toBeGreaterThan(0);
		} else {
			expect(native.start).toBeUndefined();
			expect(anyfast.start).toBe(0);
		}
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const [nativeEnd, anyfastEnd] = await Promise.all(ids.map(query));
		expect(nativeEnd).toEqual({ status: 'SUCCEEDED', start: expect.any(String) });
		expect(anyfastEnd).toEqual({ status: 'SUCCESS', start: expect.any(Number) });
	}
});

import type { INodeParameters } from 'n8n-workflow';

import { HappyHorseEmulator } from '../dev/emulator';
import { runNode } from '../dev/harness/runNode';

/**
 * The poll schedule's and the shared rate limits' benchmarks (bench/run.ts prints them): what
 * a batch costs in status queries, how late the node sees each end, and whether executions
 * running at once in one process stay under the account's limits.
 */

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function withEmulator<T>(
	work: (emulator: HappyHorseEmulator) => Promise<T>,
): Promise<T> {
	const emulator = new HappyHorseEmulator();
	await emulator.start();
	try {
		return await work(emulator);
	} finally {
		await emulator.stop();
	}
}

export function credentials(emulator: HappyHorseEmulator, extra: Record<string, unknown> = {}) {
	return {
		apiKey: emulator.apiKey,
		endpoint: 'custom',
		baseUrl: emulator.nativeBaseUrl,
		apiFormat: 'native',
		...extra,
	};
}

export function editParameters(options: INodeParameters = {}): INodeParameters {
	return {
		operation: 'createEditTask',
		prompt: 'Replace the background with a beach at sunset',
		videoSource: 'url',
		videoUrl: 'https://media.example.invalid/input.mp4',
		waitForCompletion: true,
		downloadVideo: true,
		options,
	};
}

/** Per task: how long after the emulator finished it did the node first see it finished. */
export function detectionLags(emulator: HappyHorseEmulator): number[] {
	return emulator.createdTaskIds.map((taskId) => {
		const finishedAt = emulator.taskTimes(taskId).finishedAt!;
		const seen = emulator
			.requestsOf('query')
			.filter((request) => request.path.endsWith(`/tasks/${taskId}`))
			.map((request) => request.receivedAt)
			.filter((at) => at >= finishedAt);
		return Math.min(...seen) - finishedAt;
	});
}

export function queriesPerTask(emulator: HappyHorseEmulator): number[] {
	return emulator.createdTaskIds.map(
		(taskId) =>
			emulator.requestsOf('query').filter((request) => request.path.endsWith(`/tasks/${taskId}`))
				.length,
	);
}

export interface BatchCost {
	/** Status queries per task. */
	queries: number[];
	/** Detection lag per task (ms). */
	lags: number[];
	/** The most status queries the account saw in any 1 s window. */
	peakPerSecond: number;
	throttled: number;
}

const LONG_TASK_MS = 180_000;

/**
 * Five 3-minute tasks (1.3 s apart in length, so their ends differ) with the given poll
 * interval, under the account's limits. A batch where every task starts at once, on an endpoint
 * of its own: nothing is remembered before the first one ends.
 */
export async function benchLongTasks(pollIntervalSeconds?: number): Promise<BatchCost> {
	return await withEmulator(async (emulator) => {
		emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
		let index = 0;
		emulator.taskScript = () => ({ durationMs: LONG_TASK_MS + 1_300 * index++ });
		const options = pollIntervalSeconds === undefined ? {} : { pollInterval: pollIntervalSeconds };
		const { error } = await runNode({
			credentials: credentials(emulator),
			items: Array.from({ length: 5 }, () => ({ json: {} })),
			parameters: editParameters(options),
		});
		if (error) throw new Error(`long-task bench failed: ${error.message}`);
		return {
			queries: queriesPerTask(emulator),
			lags: detectionLags(emulator),
			peakPerSecond: emulator.peakPerSecond('query'),
			throttled: emulator.throttled.submit + emulator.throttled.query,
		};
	});
}

export interface ConcurrentExecutions {
	executions: number;
	tasks: number;
	submits: number;
	throttled: { submit: number; query: number };
	wallMs: number;
}

/**
 * Four executions of 5 items at once in this one process, one credential, against the
 * account's limits enforced by the emulator (5 submits and 20 queries per second): the case a
 * queue-mode worker runs. Every 429 the emulator sends is counted.
 */
export async function benchConcurrentExecutions(taskMs: number): Promise<ConcurrentExecutions> {
	return await withEmulator(async (emulator) => {
		emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
		emulator.taskScript = () => ({ durationMs: taskMs });
		const executions = 4;
		const started = Date.now();
		const runs = await Promise.all(
			Array.from(
				{ length: executions },
				async () =>
					await runNode({
						credentials: credentials(emulator),
						items: Array.from({ length: 5 }, () => ({ json: {} })),
						parameters: editParameters(),
					}),
			),
		);
		const wallMs = Date.now() - started;
		const failed = runs.find((run) => run.error);
		if (failed) throw new Error(`concurrent bench failed: ${failed.error?.message}`);
		return {
			executions,
			tasks: emulator.createdTaskIds.length,
			submits: emulator.requestsOf('submit').length,
			throttled: { ...emulator.throttled },
			wallMs,
		};
	});
}

/** The p-th percentile (0–100) of the values, by linear interpolation between ranks. */
export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	const rank = ((sorted.length - 1) * p) / 100;
	const low = Math.floor(rank);
	const high = Math.ceil(rank);
	return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** What one case of the wait bench measured. */
export interface WaitCase {
	/** Detection lag per task (ms). */
	lags: number[];
	/** Status queries per task. */
	queries: number[];
	/** The most status queries one account saw in any 1 s window. */
	peakPerSecond: number;
	/** 429s the emulators sent. */
	throttled: number;
	wallMs: number;
}

function textToVideoParameters(): INodeParameters {
	return {
		operation: 'createTextToVideoTask',
		prompt: '={{ "A red fox in the snow, take " + $json.take }}',
		waitForCompletion: true,
		downloadVideo: false,
		options: { resolution: '720P', duration: 5 },
	};
}

/** How many accounts (emulators) a lone-task case runs side by side, each two tasks in a row. */
const LONE_ACCOUNTS = 5;

/**
 * A lone task of `runMs`, at the default Poll Interval: on each of LONE_ACCOUNTS emulators (an
 * account and an endpoint of its own, so nothing is shared between them), one task, then when
 * it is done a second of the same kind. The first is the first of its kind the process sees
 * (nothing remembered), the second finds the first's run remembered. Both count.
 */
export async function benchLoneTasks(
	runMs: number,
	startTimeWhileRunning: boolean,
): Promise<WaitCase> {
	const started = Date.now();
	const cases = await Promise.all(
		Array.from(
			{ length: LONE_ACCOUNTS },
			async (_, account) =>
				await withEmulator(async (emulator) => {
					emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
					emulator.startTimeWhileRunning = startTimeWhileRunning;
					// Spread the accounts' starts so their looks do not fall in step.
					await new Promise((resolve) => setTimeout(resolve, account * 700));
					emulator.taskScript = () => ({ durationMs: runMs });
					for (const take of [0, 1]) {
						const { error } = await runNode({
							credentials: credentials(emulator),
							items: [{ json: { take } }],
							parameters: textToVideoParameters(),
						});
						if (error) throw new Error(`lone-task bench failed: ${error.message}`);
					}
					return {
						lags: detectionLags(emulator),
						queries: queriesPerTask(emulator),
						peak: emulator.peakPerSecond('query'),
						throttled: emulator.throttled.submit + emulator.throttled.query,
					};
				}),
		),
	);
	return {
		lags: cases.flatMap((one) => one.lags),
		queries: cases.flatMap((one) => one.queries),
		peakPerSecond: Math.max(...cases.map((one) => one.peak)),
		throttled: cases.reduce((sum, one) => sum + one.throttled, 0),
		wallMs: Date.now() - started,
	};
}

/** The hundred tasks' run: 60 s, and up to 15 s more, so their ends are spread. */
const HUNDRED_RUN_MS = 60_000;

/**
 * A hundred tasks waiting at once in this process on one account, every one running (an account
 * that runs a hundred at once, so none waits PENDING behind the others), at the default Poll
 * Interval. `queriesPerSecond` is the credential's rate; the wait budget is its
 * WAIT_BUDGET_FRACTION. The emulator keeps the account's real 20 per second.
 */
export async function benchHundredWaiting(queriesPerSecond: number): Promise<WaitCase> {
	return await withEmulator(async (emulator) => {
		emulator.limits = { maxRunningTasks: 100, queriesPerSecond: 20 };
		let index = 0;
		emulator.taskScript = () => ({ durationMs: HUNDRED_RUN_MS + ((index++ * 1_530) % 15_000) });
		const started = Date.now();
		const { error } = await runNode({
			credentials: credentials(emulator, { queriesPerSecond, submitsPerSecond: 1_000_000 }),
			items: Array.from({ length: 100 }, (_, take) => ({ json: { take } })),
			parameters: textToVideoParameters(),
		});
		if (error) throw new Error(`hundred-task bench failed: ${error.message}`);
		return {
			lags: detectionLags(emulator),
			queries: queriesPerTask(emulator),
			peakPerSecond: emulator.peakPerSecond('query'),
			throttled: emulator.throttled.submit + emulator.throttled.query,
			wallMs: Date.now() - started,
		};
	});
}

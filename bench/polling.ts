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
}

const LONG_TASK_MS = 180_000;

/**
 * Five 3-minute tasks (1.3 s apart in length, so their ends differ) with the given poll
 * interval, under the account's limits. A batch where every task starts at once: nothing is
 * learned before the first one ends.
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
		return { queries: queriesPerTask(emulator), lags: detectionLags(emulator) };
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

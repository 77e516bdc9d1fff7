import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { HappyHorseApi } from '../transport';
import { FINAL_STATUSES } from '../transport';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { taskEndedError, timeoutError, withTaskId } from './taskErrors';

/** Status queries in flight at once; DashScope allows 20 queries per second per account. */
const QUERY_CONCURRENCY = 4;

export function isWaiting(state: ItemState): boolean {
	return (
		!state.error &&
		state.taskId !== undefined &&
		state.settings.waitForCompletion &&
		!FINAL_STATUSES.has(state.snapshot?.status ?? 'PENDING')
	);
}

/**
 * Waits for every waiting item's task in one shared loop: each round queries the tasks that
 * are due, then sleeps until the next one is. A task that ends badly or runs past its deadline
 * fails its item only; with `failFast` the loop stops at the first failure.
 */
export async function pollUntilDone(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const signal = ctx.getExecutionCancelSignal?.();
	for (;;) {
		const now = Date.now();
		for (const state of states.filter(isWaiting)) {
			if (now >= (state.deadline ?? Infinity)) {
				state.error = timeoutError(ctx, state, state.snapshot?.status ?? 'PENDING');
			}
		}
		const waiting = states.filter(isWaiting);
		if (waiting.length === 0 || (failFast && states.some((state) => state.error))) return;

		const nextDue = Math.min(
			...waiting.map((state) => Math.min(state.nextPollAt ?? now, state.deadline ?? Infinity)),
		);
		if (nextDue > now) await pause(ctx, nextDue - now, signal, states);

		const due = waiting.filter((state) => (state.nextPollAt ?? 0) <= Date.now());
		await mapWithConcurrency(due, QUERY_CONCURRENCY, async (state) => {
			await queryOnce(ctx, api, state);
		});
	}
}

/** Reads one task and records the outcome on its item. */
export async function queryOnce(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	state: ItemState,
): Promise<void> {
	const taskId = state.taskId as string;
	try {
		const snapshot = await api.getTask(taskId, state.itemIndex);
		state.snapshot = { ...snapshot, requestId: snapshot.requestId ?? state.requestId };
		state.nextPollAt = Date.now() + state.settings.pollIntervalMs;
		if (state.settings.waitForCompletion && FINAL_STATUSES.has(snapshot.status)) {
			if (snapshot.status !== 'SUCCEEDED') {
				state.error = taskEndedError(ctx, state.snapshot, state.itemIndex);
			}
		}
	} catch (error) {
		state.error = withTaskId(asNodeError(ctx, error, state.itemIndex), taskId);
	}
}

/**
 * Sleeps with the execution's cancel signal. `sleep` of older n8n versions ignores the signal,
 * so the abort is raced too: stopping the workflow ends the wait at once either way.
 */
async function pause(
	ctx: IExecuteFunctions,
	ms: number,
	signal: AbortSignal | undefined,
	states: ItemState[],
): Promise<void> {
	try {
		if (!signal) return await sleep(ms);
		if (signal.aborted) throw new Error('aborted');
		let onAbort = () => {};
		const aborted = new Promise<never>((_, reject) => {
			onAbort = () => reject(new Error('aborted'));
			signal.addEventListener('abort', onAbort, { once: true });
		});
		try {
			await Promise.race([sleep(ms, signal), aborted]);
		} finally {
			signal.removeEventListener('abort', onAbort);
		}
	} catch {
		const waiting = states
			.filter(isWaiting)
			.map((state) => `item ${state.itemIndex}: ${state.taskId}`)
			.join(', ');
		throw new NodeOperationError(
			ctx.getNode(),
			`The execution was stopped while waiting for tasks (${waiting})`,
			{
				description:
					'The tasks go on running on the server. Collect them later with Get Task and these task IDs.',
			},
		);
	}
}

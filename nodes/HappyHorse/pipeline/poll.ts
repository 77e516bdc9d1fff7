import type { IExecuteFunctions } from 'n8n-workflow';

import type { TaskSnapshot, TaskStatus } from '../schemas/task';
import { FINAL_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { pause } from '../transport/pause';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { taskEndedError, timeoutError, withTaskId } from './taskErrors';

/** Status queries in flight at once; the rate limiter keeps the account under 20 per second. */
const POLL_QUERY_CONCURRENCY = 8;

/** The first look at a task in a new status; later looks back off towards the poll interval. */
const FIRST_CHECK_MS = 1_000;

function isWaiting(state: ItemState): boolean {
	return (
		!state.error &&
		state.taskId !== undefined &&
		state.settings.waitForCompletion &&
		!FINAL_STATUSES.has(state.snapshot?.status ?? 'PENDING')
	);
}

/**
 * The one hand-off into the wait stage, from a submit or from a Task ID: the task is known, its
 * first check is scheduled, and the item's timeout starts now.
 */
export function startWaiting(
	state: ItemState,
	task: Pick<TaskSnapshot, 'taskId'> & Partial<TaskSnapshot>,
): void {
	state.taskId = task.taskId;
	state.requestId = task.requestId;
	if (task.status) {
		state.snapshot = { taskId: task.taskId, status: task.status, requestId: task.requestId };
	}
	scheduleNextCheck(state);
	state.deadline = Date.now() + state.settings.timeoutMs;
}

/**
 * When to look at a task next: quick checks after every change of status (a short task is
 * seen at once), doubling towards the user's poll interval (a long one costs few queries).
 */
function scheduleNextCheck(state: ItemState, now = Date.now()): void {
	const backoff = FIRST_CHECK_MS * 2 ** (state.checksSinceChange ?? 0);
	state.nextPollAt = now + Math.min(state.settings.pollIntervalMs, backoff);
}

/**
 * Waits for every waiting item's task in one shared loop: each round queries the tasks that
 * are due, then sleeps until the next one is. A task that ends badly or runs past its deadline
 * fails its item only; with `failFast` the loop stops at the first failure. Stopping the
 * execution ends the wait at once with ExecutionStoppedError (pipeline/cancelOnStop.ts cleans up).
 */
export async function pollUntilDone(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const signal = ctx.getExecutionCancelSignal?.();
	let stopped = false;
	try {
		await pollRounds(ctx, api, states, failFast, signal);
	} catch (error) {
		stopped = error instanceof ExecutionStoppedError;
		if (!stopped) {
			for (const state of states.filter(isWaiting)) {
				state.error = withTaskId(asNodeError(ctx, error, state.itemIndex), state.taskId);
			}
		}
	}
	if (stopped) throw new ExecutionStoppedError();
}

async function pollRounds(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	failFast: boolean,
	signal: AbortSignal | undefined,
): Promise<void> {
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
		if (nextDue > now) await pause(nextDue - now, signal);

		const due = waiting.filter((state) => (state.nextPollAt ?? 0) <= Date.now());
		const finishedBefore = states.filter((state) => !isWaiting(state)).length;
		await mapWithConcurrency(due, POLL_QUERY_CONCURRENCY, async (state) => {
			await queryOnce(ctx, api, state);
		});
		if (signal?.aborted) throw new ExecutionStoppedError();
		// A task that ended freed one of the account's 5 running slots: a PENDING task has
		// likely just started, so look at those again soon.
		if (states.filter((state) => !isWaiting(state)).length > finishedBefore) {
			const soon = Date.now() + FIRST_CHECK_MS;
			for (const state of states.filter(isWaiting)) {
				if (state.snapshot?.status === 'PENDING') {
					state.nextPollAt = Math.min(state.nextPollAt ?? soon, soon);
				}
			}
		}
	}
}

/** Reads one task and records the outcome on its item. */
export async function queryOnce(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	state: ItemState,
): Promise<void> {
	const taskId = state.taskId as string;
	const previous: TaskStatus | undefined = state.snapshot?.status;
	let failure: unknown;
	try {
		const snapshot = await api.getTask(taskId, state.itemIndex, state.deadline);
		state.snapshot = { ...snapshot, requestId: snapshot.requestId ?? state.requestId };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof ExecutionStoppedError) return;
	if (failure !== undefined || !state.snapshot) {
		state.error = withTaskId(asNodeError(ctx, failure, state.itemIndex), taskId);
		return;
	}
	const status = state.snapshot.status;
	state.checksSinceChange = status === previous ? (state.checksSinceChange ?? 0) + 1 : 0;
	scheduleNextCheck(state);
	if (state.settings.waitForCompletion && FINAL_STATUSES.has(status) && status !== 'SUCCEEDED') {
		state.error = taskEndedError(ctx, state.snapshot, state.itemIndex);
	}
}

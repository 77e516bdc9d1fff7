import type { IExecuteFunctions } from 'n8n-workflow';

import type { TaskSnapshot, TaskStatus } from '../schemas/task';
import { FINAL_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { pause } from '../transport/pause';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import type { TaskOnSchedule } from './pollSchedule';
import {
	learnedRunTime,
	nextCheckAfterAnEnd,
	nextCheckAt,
	pendingThatStartNext,
} from './pollSchedule';
import { taskEndedError, timeoutError, withTaskId } from './taskErrors';
import type { NodeContext } from '../transport/context';

/** Status queries in flight at once; the rate limiter keeps the account under 20 per second. */
const POLL_QUERY_CONCURRENCY = 8;

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
	if ((task.status ?? 'PENDING') === 'PENDING') state.pendingSeenAt = Date.now();
	scheduleNextCheck(state, undefined);
	state.deadline = Date.now() + state.settings.timeoutMs;
}

/** The schedule's view of one item's task (pollSchedule.ts). */
function onSchedule(state: ItemState): TaskOnSchedule {
	return {
		itemIndex: state.itemIndex,
		status: state.snapshot?.status ?? 'PENDING',
		checksSinceChange: state.checksSinceChange ?? 0,
		pollIntervalMs: state.settings.pollIntervalMs,
		pendingSeenAt: state.pendingSeenAt,
	};
}

/** When to look at a task next (pollSchedule.ts): backed off, spread, and what the batch taught. */
function scheduleNextCheck(
	state: ItemState,
	learnedRunMs: number | undefined,
	now = Date.now(),
): void {
	state.nextPollAt = nextCheckAt(onSchedule(state), learnedRunMs, now);
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
		const learnedRunMs = learnedRunTime(states.map((state) => state.snapshot));
		await mapWithConcurrency(due, POLL_QUERY_CONCURRENCY, async (state) => {
			await queryOnce(ctx, api, state, learnedRunMs);
		});
		if (signal?.aborted) throw new ExecutionStoppedError();
		// A task that ended freed one of the account's running slots and tells how long the
		// others may take: look again at once at those likely to have moved (pollSchedule.ts).
		const ended = states.filter((state) => !isWaiting(state)).length - finishedBefore;
		if (ended > 0) {
			const learned = learnedRunTime(states.map((state) => state.snapshot));
			const endedAt = Date.now();
			const stillWaiting = states.filter(isWaiting);
			const startsNext = pendingThatStartNext(stillWaiting.map(onSchedule), ended);
			for (const state of stillWaiting) {
				const scheduledAt = state.nextPollAt ?? endedAt;
				// One looked at in this round is not looked at again now, but its next look heeds
				// what the round taught (it was scheduled before the end was seen).
				state.nextPollAt = due.includes(state)
					? Math.min(scheduledAt, nextCheckAt(onSchedule(state), learned, endedAt))
					: nextCheckAfterAnEnd(
							onSchedule(state),
							learned,
							scheduledAt,
							endedAt,
							startsNext.has(state.itemIndex),
						);
			}
		}
	}
}

/** Reads one task and records the outcome on its item. */
export async function queryOnce(
	ctx: NodeContext,
	api: HappyHorseApi,
	state: ItemState,
	learnedRunMs?: number,
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
	if (status === 'PENDING') state.pendingSeenAt = Date.now();
	scheduleNextCheck(state, learnedRunMs);
	if (state.settings.waitForCompletion && FINAL_STATUSES.has(status) && status !== 'SUCCEEDED') {
		state.error = taskEndedError(ctx, state.snapshot, state.itemIndex);
	}
}

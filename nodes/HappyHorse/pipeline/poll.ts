import type { IExecuteFunctions } from 'n8n-workflow';

import type { TaskSnapshot, TaskStatus } from '../schemas/task';
import { FINAL_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { pause } from '../transport/pause';
import type { WaitingShare } from '../transport/waitBudget';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import type { BudgetShare, TaskOnSchedule } from './pollSchedule';
import { nextCheckAfterAnEnd, nextCheckAt, pendingThatStartNext } from './pollSchedule';
import { inputSecondsOf, processRunTimes, runOf } from './runTimeMemory';
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

/** Before the wait stage has counted its tasks: a share as if the task waited alone. */
const LONE_TASK: BudgetShare = { runningTasks: 1, perSecond: Infinity };

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
	state.nextPollAt = nextCheckAt(onSchedule(state), LONE_TASK, Date.now());
	state.deadline = Date.now() + state.settings.timeoutMs;
}

/** The schedule's view of one item's task (pollSchedule.ts). */
function onSchedule(state: ItemState): TaskOnSchedule {
	const snapshot = state.snapshot;
	const startedAt = snapshot?.startedAt ? Date.parse(snapshot.startedAt) : NaN;
	return {
		itemIndex: state.itemIndex,
		status: snapshot?.status ?? 'PENDING',
		checksSinceChange: state.checksSinceChange ?? 0,
		pollIntervalMs: state.settings.pollIntervalMs,
		pendingSeenAt: state.pendingSeenAt,
		runningSeenAt: state.runningSeenAt,
		startedAt: Number.isFinite(startedAt) ? startedAt : undefined,
		progress:
			snapshot?.progress === undefined || state.progressSeenAt === undefined
				? undefined
				: { fraction: snapshot.progress, seenAt: state.progressSeenAt },
		rememberedRunMs: state.runKind && processRunTimes.expectedRun(state.runKind),
	};
}

/**
 * Waits for every waiting item's task in one shared loop: each round queries the tasks that
 * are due, then sleeps until the next one is. A task that ends badly or runs past its deadline
 * fails its item only; with `failFast` the loop stops at the first failure. Stopping the
 * execution ends the wait at once with ExecutionStoppedError (pipeline/cancelOnStop.ts cleans up).
 * The loop's waiting tasks count in the process's wait budget while it runs.
 */
export async function pollUntilDone(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const signal = ctx.getExecutionCancelSignal?.();
	const share = api.waitBudget.join();
	let stopped = false;
	try {
		await pollRounds(ctx, api, states, failFast, signal, share);
	} catch (error) {
		stopped = error instanceof ExecutionStoppedError;
		if (!stopped) {
			for (const state of states.filter(isWaiting)) {
				state.error = withTaskId(asNodeError(ctx, error, state.itemIndex), state.taskId);
			}
		}
	} finally {
		share.leave();
	}
	if (stopped) throw new ExecutionStoppedError();
}

async function pollRounds(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	failFast: boolean,
	signal: AbortSignal | undefined,
	share: WaitingShare,
): Promise<void> {
	const budgetShare = (): BudgetShare => ({
		runningTasks: api.waitBudget.runningTasks(),
		perSecond: api.waitBudget.perSecond,
	});
	for (;;) {
		const now = Date.now();
		for (const state of states.filter(isWaiting)) {
			if (now >= (state.deadline ?? Infinity)) {
				state.error = timeoutError(ctx, state, state.snapshot?.status ?? 'PENDING');
			}
		}
		const waiting = states.filter(isWaiting);
		// PENDING tasks go by their back-off and leave the budget to the running ones.
		share.set(waiting.filter((state) => state.snapshot?.status !== 'PENDING').length);
		if (waiting.length === 0 || (failFast && states.some((state) => state.error))) return;

		const nextDue = Math.min(
			...waiting.map((state) => Math.min(state.nextPollAt ?? now, state.deadline ?? Infinity)),
		);
		if (nextDue > now) await pause(nextDue - now, signal);

		const due = waiting.filter((state) => (state.nextPollAt ?? 0) <= Date.now());
		const finishedBefore = states.filter((state) => !isWaiting(state)).length;
		await mapWithConcurrency(due, POLL_QUERY_CONCURRENCY, async (state) => {
			await queryOnce(ctx, api, state, budgetShare);
		});
		if (signal?.aborted) throw new ExecutionStoppedError();
		// A task that ended freed one of the account's running slots, and its run is now
		// remembered: look again at once at those likely to have moved (pollSchedule.ts, rule 5).
		const ended = states.filter((state) => !isWaiting(state)).length - finishedBefore;
		if (ended > 0) lookAgainAfterEnds(states, due, ended, budgetShare());
	}
}

function lookAgainAfterEnds(
	states: ItemState[],
	lookedAt: ItemState[],
	ended: number,
	budget: BudgetShare,
): void {
	const endedAt = Date.now();
	const stillWaiting = states.filter(isWaiting);
	const startsNext = pendingThatStartNext(stillWaiting.map(onSchedule), ended);
	for (const state of stillWaiting) {
		const scheduledAt = state.nextPollAt ?? endedAt;
		// One looked at in this round is not looked at again now, but its next look heeds what
		// the round taught (it was scheduled before the end was seen).
		state.nextPollAt = lookedAt.includes(state)
			? Math.min(scheduledAt, nextCheckAt(onSchedule(state), budget, endedAt))
			: nextCheckAfterAnEnd(
					onSchedule(state),
					scheduledAt,
					endedAt,
					startsNext.has(state.itemIndex),
				);
	}
}

/**
 * Reads one task and records the outcome on its item. With `budget` (the wait stage) the look
 * is spent from the process's wait budget and the next one is scheduled by it; a success
 * teaches the process how long its kind of task runs.
 */
export async function queryOnce(
	ctx: NodeContext,
	api: HappyHorseApi,
	state: ItemState,
	budget?: () => BudgetShare,
): Promise<void> {
	const taskId = state.taskId as string;
	const previous: TaskStatus | undefined = state.snapshot?.status;
	let failure: unknown;
	try {
		const snapshot = await api.getTask(taskId, state.itemIndex, state.deadline, Boolean(budget));
		state.snapshot = { ...snapshot, requestId: snapshot.requestId ?? state.requestId };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof ExecutionStoppedError) return;
	if (failure !== undefined || !state.snapshot) {
		state.error = withTaskId(asNodeError(ctx, failure, state.itemIndex), taskId);
		return;
	}
	const seenAt = Date.now();
	const status = state.snapshot.status;
	state.checksSinceChange = status === previous ? (state.checksSinceChange ?? 0) + 1 : 0;
	if (status === 'PENDING') state.pendingSeenAt = seenAt;
	if (status === 'RUNNING') state.runningSeenAt ??= seenAt;
	if (state.snapshot.progress !== undefined) state.progressSeenAt = seenAt;
	const run = runOf(state.snapshot);
	if (status !== previous && run !== undefined && state.runKind) {
		processRunTimes.remember(
			{ ...state.runKind, inputSeconds: inputSecondsOf(state.snapshot) },
			run,
			seenAt,
		);
	}
	state.nextPollAt = nextCheckAt(onSchedule(state), budget?.() ?? LONE_TASK, seenAt);
	if (state.settings.waitForCompletion && FINAL_STATUSES.has(status) && status !== 'SUCCEEDED') {
		state.error = taskEndedError(ctx, state.snapshot, state.itemIndex);
	}
}

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HappyHorseApi } from '../transport';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { pause } from '../transport/pause';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';

/** Cancels in flight at once after a stop; they share the query limit. */
const CANCEL_ON_STOP_CONCURRENCY = 4;

/** Clean-up after a stop may take this long at most, however many tasks there are. */
const CANCEL_ON_STOP_BUDGET_MS = 5_000;

/**
 * Runs one stage of a batch (`stage` names it in the error: "uploading files and submitting
 * tasks"). A stop during it, or one the stage swallowed, cancels the tasks of this execution
 * that may not have started, and ends the node with an error that lists every task.
 */
export async function cancelingOnStop<T>(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	stage: string,
	run: () => Promise<T>,
): Promise<T> {
	const signal = ctx.getExecutionCancelSignal?.();
	let outcome: { value: T } | undefined;
	let failure: unknown;
	try {
		outcome = { value: await run() };
	} catch (error) {
		failure = error;
	}
	if (signal?.aborted || failure instanceof ExecutionStoppedError) {
		throw await stoppedError(ctx, api, states, stage);
	}
	if (!outcome) throw failure;
	return outcome.value;
}

/**
 * A task may still be PENDING when this execution created it and no look since said it runs or
 * ended. Those are canceled, so nobody pays for work nobody will collect; running ones cannot
 * be, and a task from a Task ID is the user's own, so it is left alone. Best effort, bounded.
 */
function mayBePending(state: ItemState): boolean {
	return (
		state.createdHere === true &&
		state.taskId !== undefined &&
		(state.snapshot?.status ?? 'PENDING') === 'PENDING'
	);
}

async function stoppedError(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	stage: string,
): Promise<NodeOperationError> {
	const known = states.filter((state) => state.taskId !== undefined);
	const canceled = new Set<ItemState>();
	await Promise.race([
		mapWithConcurrency(known.filter(mayBePending), CANCEL_ON_STOP_CONCURRENCY, async (state) => {
			try {
				await api.cancelTask(state.taskId as string, state.itemIndex, true);
				canceled.add(state);
			} catch {
				// It may have started meanwhile, or the gateway cannot cancel: it stays listed below.
			}
		}),
		pause(CANCEL_ON_STOP_BUDGET_MS),
	]);
	const finished = known.filter(
		(state) => !canceled.has(state) && state.snapshot?.status === 'SUCCEEDED',
	);
	const runningOn = known.filter(
		(state) =>
			!canceled.has(state) &&
			!finished.includes(state) &&
			['PENDING', 'RUNNING'].includes(state.snapshot?.status ?? 'PENDING'),
	);
	const interrupted = states.filter((state) => state.stoppedDuringSubmit);
	const description = [
		sentence('Canceled the tasks that had not started: ', [...canceled]),
		sentence('These go on running on the server; collect them later with Get Task: ', runningOn),
		sentence('These had finished; collect their videos with Get Task: ', finished),
		...interrupted.map(
			(state) =>
				`The submit of item ${state.itemIndex} was under way when the stop came: it may have created a task; check with the List Tasks operation before running it again.`,
		),
	].filter(Boolean);
	const listed = known.length > 0 ? ` (${itemsAndTasks(known)})` : '';
	return new NodeOperationError(
		ctx.getNode(),
		`The execution was stopped while ${stage}${listed}`,
		{
			description: description.join(' '),
		},
	);
}

function sentence(lead: string, states: ItemState[]): string {
	return states.length > 0 ? `${lead}${itemsAndTasks(states)}.` : '';
}

/** "item 0: <taskId>, item 2: <taskId>", in item order. */
function itemsAndTasks(states: ItemState[]): string {
	return [...states]
		.sort((a, b) => a.itemIndex - b.itemIndex)
		.map((state) => `item ${state.itemIndex}: ${state.taskId}`)
		.join(', ');
}

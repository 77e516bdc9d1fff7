import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { billedUsage } from '../schemas/answerFields';
import { costOf } from '../schemas/prices';
import { appendToDescription } from '../transport/request';
import type { ItemState } from './itemState';

/** The output fields of a task, in the order a user reads them; absent values are left out. */
function taskJson(state: ItemState): IDataObject {
	if (state.estimatedRequest && !state.error) {
		return {
			taskId: null,
			status: 'ESTIMATE',
			estimate: state.estimate,
			request: state.estimatedRequest,
		};
	}
	const snapshot = state.snapshot;
	const succeeded = snapshot?.status === 'SUCCEEDED';
	const json: IDataObject = {
		taskId: snapshot?.taskId ?? state.taskId ?? null,
		status: snapshot?.status ?? (state.taskId ? 'PENDING' : null),
		videoUrl: succeeded ? snapshot.videoUrl : undefined,
		usage: snapshot?.usage,
		// What the API billed, at the item's price (docs/COSTS.md, "What each video cost").
		cost:
			succeeded && snapshot.usage && state.pricing
				? costOf(billedUsage(snapshot.usage), state.pricing)
				: undefined,
		errorCode: snapshot?.errorCode,
		errorMessage: snapshot?.errorMessage,
		requestId: snapshot?.requestId ?? state.requestId,
		submittedAt: snapshot?.submittedAt,
		startedAt: snapshot?.startedAt,
		finishedAt: snapshot?.finishedAt,
		estimate: state.estimate,
	};
	for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
	return json;
}

/** One output item per input item, in input order; a failed item carries its error. */
export function toOutputItems(states: ItemState[]): INodeExecutionData[] {
	return states.map((state) => {
		const json = taskJson(state);
		if (state.error) json.error = state.error.message;
		const item: INodeExecutionData = { json, pairedItem: { item: state.itemIndex } };
		if (state.binary && !state.error) {
			item.binary = { [state.settings.binaryPropertyName]: state.binary };
		}
		return item;
	});
}

/**
 * Without continue-on-fail the first failed item fails the node. Tasks other items created are
 * listed in the error, so none is lost: each can be collected with Get Task.
 */
export function throwFirstFailure(ctx: IExecuteFunctions, states: ItemState[]): void {
	if (ctx.continueOnFail()) return;
	const failed = states.find((state) => state.error);
	if (!failed?.error) return;
	const others = states
		.filter((state) => state !== failed && state.taskId)
		.map(
			(state) =>
				`item ${state.itemIndex}: ${state.taskId} (${state.snapshot?.status ?? 'PENDING'})`,
		);
	if (others.length > 0) {
		appendToDescription(
			failed.error,
			`Tasks this run also created, which you can collect with Get Task: ${others.join(', ')}.`,
		);
	}
	throw failed.error;
}

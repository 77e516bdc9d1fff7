import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';

import { mapWithConcurrency } from '../pipeline/concurrency';
import { asNodeError, readTaskId } from '../pipeline/itemState';
import { taskIdProperty } from './common.description';
import { withTaskId } from '../pipeline/taskErrors';
import type { HappyHorseApi } from '../transport';

const properties: INodeProperties[] = [
	taskIdProperty(
		'The task to cancel. Only a task that is still PENDING (waiting to start) can be canceled.',
	),
];

export const description = updateDisplayOptions(
	{ show: { operation: ['cancelTask'] } },
	properties,
);

/** Cancels in flight at once; they share the account's query limit. */
const CANCEL_CONCURRENCY = 4;

/**
 * Cancels each item's task. DashScope cancels only PENDING tasks; when it refuses, the task is
 * read once so the error can say what state it is in.
 */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const outcomes = await mapWithConcurrency(items, CANCEL_CONCURRENCY, async (_, itemIndex) => {
		let taskId: string;
		try {
			taskId = readTaskId(this, itemIndex);
		} catch (error) {
			return { itemIndex, error: asNodeError(this, error, itemIndex) };
		}
		let failure: unknown;
		try {
			const { requestId } = await api.cancelTask(taskId, itemIndex);
			const json: IDataObject = { taskId, status: 'CANCELED' };
			if (requestId) json.requestId = requestId;
			return { itemIndex, json };
		} catch (error) {
			failure = error;
		}
		return {
			itemIndex,
			taskId,
			error: await explainRefusal(this, api, taskId, itemIndex, failure),
		};
	});

	const failed = outcomes.find((outcome) => outcome.error);
	if (failed?.error && !this.continueOnFail()) throw failed.error;
	return outcomes.map((outcome) => ({
		json: outcome.json ?? {
			taskId: outcome.taskId ?? null,
			status: null,
			error: outcome.error?.message,
		},
		pairedItem: { item: outcome.itemIndex },
	}));
}

async function explainRefusal(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	taskId: string,
	itemIndex: number,
	failure: unknown,
): Promise<Error> {
	const code = (failure as { context?: { apiErrorCode?: string } })?.context?.apiErrorCode;
	if (code !== 'UnsupportedOperation')
		return withTaskId(asNodeError(ctx, failure, itemIndex), taskId);
	let status = 'not PENDING';
	try {
		status = (await api.getTask(taskId, itemIndex)).status;
	} catch {
		// The refusal itself is what matters; without the status the message stays general.
	}
	return new NodeApiError(ctx.getNode(), { taskId, code } as never, {
		message: `Task ${taskId} cannot be canceled: it is ${status}`,
		description:
			status === 'RUNNING'
				? 'DashScope cancels only tasks that are still PENDING. A RUNNING task finishes (and is billed) anyway: collect it with Get Task.'
				: 'DashScope cancels only tasks that are still PENDING.',
		itemIndex,
	});
}

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { TaskKind } from '../schemas/taskKinds';
import type { HappyHorseApi } from '../transport';
import { cancelingOnStop } from './cancelOnStop';
import { estimateCosts } from './estimate';
import { throwFirstFailure } from './outputs';
import type { DraftReader } from './prepare';
import { prepareItems } from './prepare';
import { releaseUnsubmitted } from './spendingLimits';
import { submitTasks } from './submit';
import { waitAndDownload } from './waitAndDownload';

/**
 * The path of a batch through every create operation: validate every item → estimate its
 * cost and keep the execution's spending limits (Estimate Only items stop here) → upload and
 * submit → wait for all tasks together → download → one output item per input item. A stop
 * in any stage after the first submit cancels the tasks that may not have started.
 * Operations differ only in their kind of task and how they read an item's parameters.
 */
export async function createTasks(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	kind: TaskKind,
	readDraft: DraftReader,
): Promise<INodeExecutionData[]> {
	const { states, prepared } = await prepareItems(ctx, api, kind, readDraft);
	await estimateCosts(ctx, api, kind, prepared);
	throwFirstFailure(ctx, states);
	try {
		await cancelingOnStop(
			ctx,
			api,
			states,
			'uploading files and submitting tasks',
			async () => await submitTasks(ctx, api, states, prepared),
		);
	} finally {
		releaseUnsubmitted(states);
	}
	throwFirstFailure(ctx, states);
	return await waitAndDownload(ctx, api, states);
}

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { accountPricesOf, billingRegionOf } from '../schemas/prices';
import type { NodeContext } from '../transport/context';
import type { HappyHorseApi } from '../transport';
import { CREDENTIAL_TYPE } from '../transport/request';
import { downloadResults } from './download';
import type { ItemSettings, ItemState } from './itemState';
import { toOutputItems } from './outputs';
import { queryOnce } from './poll';

/** A finished task as the HappyHorse Trigger collects it: what to download, and where. */
export interface FinishedTaskSettings {
	downloadVideo: boolean;
	binaryPropertyName: string;
	maxVideoBytes: number;
	/** The whole download ends by then (ms from its start). */
	downloadTimeoutMs: number;
}

/**
 * The one query a completion event is worth (docs/TRIGGER.md): the same read as Get Task, with
 * its retries bounded so the delivery is answered in time (`queryBudgetMs`).
 */
export async function queryFinishedTask(
	ctx: NodeContext,
	api: HappyHorseApi,
	taskId: string,
	settings: FinishedTaskSettings,
	queryBudgetMs: number,
): Promise<ItemState> {
	const itemSettings: ItemSettings = {
		waitForCompletion: false,
		downloadVideo: settings.downloadVideo,
		pollIntervalMs: 0,
		timeoutMs: settings.downloadTimeoutMs,
		binaryPropertyName: settings.binaryPropertyName,
		maxVideoBytes: settings.maxVideoBytes,
	};
	const state: ItemState = {
		itemIndex: 0,
		settings: itemSettings,
		taskId,
		deadline: Date.now() + queryBudgetMs,
	};
	await queryOnce(ctx, api, state);
	return state;
}

/**
 * Downloads a succeeded task's video with the node's download stage (size cap, content check, no
 * key sent to the video host), and makes the output item Get Task would, plus `extra` fields and
 * the `cost` a create item carries: the event names the model, which Get Task's answer does not
 * (docs/COSTS.md). A failed download stays on the item as `error`, with its taskId: nothing is
 * lost.
 */
export async function finishedTaskItem(
	ctx: NodeContext,
	state: ItemState,
	model: string,
	extra: IDataObject,
): Promise<INodeExecutionData> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	state.pricing = {
		region: billingRegionOf(credentials),
		account: accountPricesOf(credentials),
		model,
		resolution: undefined,
	};
	await downloadResults(ctx, [state], false);
	const [item] = toOutputItems([state]);
	item.json = { ...item.json, model, ...extra };
	return item;
}

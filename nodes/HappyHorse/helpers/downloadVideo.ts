import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { withTaskId } from './taskErrors';

/** Results are up to ~100 MB; ten minutes allows a slow link (≈ 170 KB/s). */
export const DOWNLOAD_TIMEOUT_MS = 600_000;
const DOWNLOAD_CONCURRENCY = 2;

export function wantsDownload(state: ItemState): boolean {
	return (
		!state.error &&
		state.settings.downloadVideo &&
		state.snapshot?.status === 'SUCCEEDED' &&
		state.binary === undefined
	);
}

/** Downloads every finished item's video into its binary property. */
export async function downloadResults(
	ctx: IExecuteFunctions,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const pending = states.filter(wantsDownload);
	await mapWithConcurrency(pending, DOWNLOAD_CONCURRENCY, async (state) => {
		if (failFast && states.some((other) => other.error)) return;
		try {
			await downloadVideo(ctx, state);
		} catch (error) {
			state.error = withTaskId(asNodeError(ctx, error, state.itemIndex), state.taskId);
		}
	});
}

/**
 * The video URL is a presigned link on another host: it is fetched with the plain request
 * helper, so the API key is never sent there.
 */
async function downloadVideo(ctx: IExecuteFunctions, state: ItemState): Promise<void> {
	const { taskId, videoUrl } = state.snapshot ?? {};
	if (!videoUrl) {
		throw new NodeApiError(ctx.getNode(), { taskId: taskId ?? null } as JsonObject, {
			message: `Task ${taskId} succeeded but the API gave no video URL`,
			itemIndex: state.itemIndex,
		});
	}
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url: videoUrl,
		encoding: 'arraybuffer',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_TIMEOUT_MS,
		abortSignal: ctx.getExecutionCancelSignal?.(),
	})) as { statusCode: number; body: ArrayBuffer | Buffer };
	const bytes = Buffer.from(response.body as ArrayBuffer);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		throw new NodeApiError(
			ctx.getNode(),
			{ httpCode: String(response.statusCode), taskId: taskId ?? null } as JsonObject,
			{
				message: `Downloading the video of task ${taskId} failed (HTTP ${response.statusCode})`,
				description:
					'The video URL is valid for 24 hours after the task ends. Within that time, run Get Task again for a fresh look, or turn Download Video off and fetch the URL yourself.',
				httpCode: String(response.statusCode),
				itemIndex: state.itemIndex,
			},
		);
	}
	state.binary = await ctx.helpers.prepareBinaryData(bytes, `${taskId}.mp4`, 'video/mp4');
}

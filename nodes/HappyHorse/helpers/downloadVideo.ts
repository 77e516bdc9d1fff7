import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from '../transport/pause';
import { networkError } from '../transport/request';
import { markFailure, parseRetryAfter, withRetries } from '../transport/retry';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { withTaskId } from './taskErrors';

/** Results are up to ~100 MB; ten minutes allows a slow link (≈ 170 KB/s). */
export const DOWNLOAD_TIMEOUT_MS = 600_000;
/** Failed downloads are retried for this long; the URL stays valid for 24 hours anyway. */
const DOWNLOAD_RETRY_BUDGET_MS = 120_000;
const DOWNLOAD_CONCURRENCY = 3;

export function wantsDownload(state: ItemState): boolean {
	return (
		!state.error &&
		state.settings.downloadVideo &&
		state.snapshot?.status === 'SUCCEEDED' &&
		state.binary === undefined
	);
}

/** Downloads every finished item's video into its binary property, a few at a time. */
export async function downloadResults(
	ctx: IExecuteFunctions,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const pending = states.filter(wantsDownload);
	await mapWithConcurrency(pending, DOWNLOAD_CONCURRENCY, async (state) => {
		if (failFast && states.some((other) => other.error)) return;
		let failure: unknown;
		try {
			await downloadVideo(ctx, state);
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined && !(failure instanceof ExecutionStoppedError)) {
			state.error = withTaskId(asNodeError(ctx, failure, state.itemIndex), state.taskId);
		}
	});
}

/**
 * The video URL is a presigned link on another host: it is fetched with the plain request
 * helper, so the API key is never sent there. Network errors, 429 and 5xx are retried.
 */
async function downloadVideo(ctx: IExecuteFunctions, state: ItemState): Promise<void> {
	const { taskId, videoUrl } = state.snapshot ?? {};
	if (!videoUrl) {
		throw new NodeApiError(ctx.getNode(), { taskId: taskId ?? null } as JsonObject, {
			message: `Task ${taskId} succeeded but the API gave no video URL`,
			itemIndex: state.itemIndex,
		});
	}
	const signal = ctx.getExecutionCancelSignal?.();
	const bytes = await withRetries(async () => await fetchVideo(ctx, state, videoUrl, signal), {
		call: 'read',
		deadline: Date.now() + DOWNLOAD_RETRY_BUDGET_MS,
		signal,
	});
	state.binary = await ctx.helpers.prepareBinaryData(bytes, `${taskId}.mp4`, 'video/mp4');
}

async function fetchVideo(
	ctx: IExecuteFunctions,
	state: ItemState,
	videoUrl: string,
	signal: AbortSignal | undefined,
): Promise<Buffer> {
	const taskId = state.snapshot?.taskId;
	let response: {
		statusCode: number;
		body: ArrayBuffer | Buffer;
		headers?: Record<string, unknown>;
	};
	let failure: unknown;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: videoUrl,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
			abortSignal: signal,
		})) as typeof response;
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined) {
		throw signal?.aborted
			? new ExecutionStoppedError()
			: networkError(
					ctx,
					{ method: 'GET', url: videoUrl },
					failure,
					state.itemIndex,
					'the video host',
				);
	}
	const { statusCode, body, headers = {} } = response!;
	if (statusCode >= 200 && statusCode < 300) return Buffer.from(body as ArrayBuffer);
	const error = new NodeApiError(
		ctx.getNode(),
		{ httpCode: String(statusCode), taskId: taskId ?? null } as JsonObject,
		{
			message: `Downloading the video of task ${taskId} failed (HTTP ${statusCode})`,
			description:
				'The video URL is valid for 24 hours after the task ends. Within that time, run Get Task again for a fresh look, or turn Download Video off and fetch the URL yourself.',
			httpCode: String(statusCode),
			itemIndex: state.itemIndex,
		},
	);
	if (statusCode === 429) {
		return markAndThrow(error, {
			kind: 'throttled',
			retryAfterMs: parseRetryAfter(headers['retry-after']),
		});
	}
	if (statusCode >= 500) return markAndThrow(error, { kind: 'server' });
	throw error;
}

function markAndThrow(error: NodeApiError, mark: Parameters<typeof markFailure>[1]): never {
	throw markFailure(error, mark);
}

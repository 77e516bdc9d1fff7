import type { IBinaryData, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from '../transport/executionStopped';
import { networkError } from '../transport/request';
import { markFailure, parseRetryAfter, withRetries } from '../transport/retry';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { withTaskId } from './taskErrors';

/**
 * An inactivity limit, not a total: a 100 MB result on a slow link keeps going as long as bytes
 * arrive, while a stalled connection is given up (and retried) after two minutes.
 */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Failed downloads are retried for this long; the URL stays valid for 24 hours anyway. */
const DOWNLOAD_RETRY_BUDGET_MS = 120_000;
const DOWNLOAD_CONCURRENCY = 3;

type ByteStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

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
	state.binary = await withRetries(async () => await fetchVideo(ctx, state, videoUrl, signal), {
		call: 'read',
		deadline: Date.now() + DOWNLOAD_RETRY_BUDGET_MS,
		signal,
	});
}

/**
 * One attempt: the body is streamed into n8n's binary storage, so in filesystem or S3 mode a
 * 100 MB video never sits in memory whole.
 */
async function fetchVideo(
	ctx: IExecuteFunctions,
	state: ItemState,
	videoUrl: string,
	signal: AbortSignal | undefined,
): Promise<IBinaryData> {
	const taskId = state.snapshot?.taskId;
	let failure: unknown;
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: videoUrl,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
			abortSignal: signal,
		})) as { statusCode: number; body: ByteStream; headers?: Record<string, unknown> };
		if (response.statusCode >= 200 && response.statusCode < 300) {
			return await ctx.helpers.prepareBinaryData(response.body, `${taskId}.mp4`, 'video/mp4');
		}
		response.body.destroy();
		failure = downloadStatusError(ctx, state, response.statusCode, response.headers ?? {});
	} catch (error) {
		failure = error;
	}
	if (signal?.aborted) throw new ExecutionStoppedError();
	if (failure instanceof NodeApiError) throw failure;
	// A connection that broke before or during the body: reading again is safe.
	throw networkError(
		ctx,
		{ method: 'GET', url: videoUrl },
		failure,
		state.itemIndex,
		'the video host',
	);
}

function downloadStatusError(
	ctx: IExecuteFunctions,
	state: ItemState,
	statusCode: number,
	headers: Record<string, unknown>,
): NodeApiError {
	const taskId = state.snapshot?.taskId;
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
		return markFailure(error, {
			kind: 'throttled',
			retryAfterMs: parseRetryAfter(headers['retry-after']),
		});
	}
	return statusCode >= 500 ? markFailure(error, { kind: 'server' }) : error;
}

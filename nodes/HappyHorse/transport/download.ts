import type { IBinaryData, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import { networkError } from './request';
import { markFailure, parseRetryAfter, withRetries } from './retry';

/**
 * An inactivity limit, not a total: a 100 MB result on a slow link keeps going as long as bytes
 * arrive, while a stalled connection is given up (and retried) after two minutes.
 */
const DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Failed downloads are retried for this long; the URL stays valid for 24 hours anyway. */
const DOWNLOAD_RETRY_BUDGET_MS = 120_000;

/** A finished task's result: the presigned URL on the video host. */
export interface VideoToDownload {
	taskId: string;
	videoUrl: string | undefined;
	itemIndex: number;
}

type ByteStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

/**
 * The video URL is a presigned link on another host: it is fetched with the plain request
 * helper, so the API key is never sent there. Network errors, 429 and 5xx are retried.
 */
export async function downloadVideo(
	ctx: IExecuteFunctions,
	video: VideoToDownload,
): Promise<IBinaryData> {
	const { taskId, videoUrl, itemIndex } = video;
	if (!videoUrl) {
		throw new NodeApiError(ctx.getNode(), { taskId } as JsonObject, {
			message: `Task ${taskId} succeeded but the API gave no video URL`,
			itemIndex,
		});
	}
	const signal = ctx.getExecutionCancelSignal?.();
	return await withRetries(async () => await fetchVideo(ctx, video, videoUrl, signal), {
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
	video: VideoToDownload,
	videoUrl: string,
	signal: AbortSignal | undefined,
): Promise<IBinaryData> {
	const { taskId, itemIndex } = video;
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
		failure = downloadStatusError(ctx, video, response.statusCode, response.headers ?? {});
	} catch (error) {
		failure = error;
	}
	if (signal?.aborted) throw new ExecutionStoppedError();
	if (failure instanceof NodeApiError) throw failure;
	// A connection that broke before or during the body: reading again is safe.
	throw networkError(ctx, { method: 'GET', url: videoUrl }, failure, itemIndex, 'the video host');
}

function downloadStatusError(
	ctx: IExecuteFunctions,
	{ taskId, itemIndex }: VideoToDownload,
	statusCode: number,
	headers: Record<string, unknown>,
): NodeApiError {
	const error = new NodeApiError(
		ctx.getNode(),
		{ httpCode: String(statusCode), taskId } as JsonObject,
		{
			message: `Downloading the video of task ${taskId} failed (HTTP ${statusCode})`,
			description:
				'The video URL is valid for 24 hours after the task ends. Within that time, run Get Task again for a fresh look, or turn Download Video off and fetch the URL yourself.',
			httpCode: String(statusCode),
			itemIndex,
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

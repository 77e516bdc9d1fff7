import type { IBinaryData, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import { pause } from './pause';
import { appendToDescription, networkError } from './request';
import { markFailure, parseRetryAfter, withRetries } from './retry';
import type { VideoBodyProblem } from './videoBody';
import { MAX_VIDEO_SIZE_OPTION, guardVideoBody, limitInMegabytes, megabytes } from './videoBody';
import type { NodeContext } from './context';

/**
 * An inactivity limit: a stalled connection is given up (and retried) after two minutes. The
 * total limit is the item's Timeout, see VideoToDownload.timeoutMs.
 */
const DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Failed downloads are retried for this long at most; the URL stays valid for 24 hours anyway. */
const DOWNLOAD_RETRY_BUDGET_MS = 120_000;
/** Redirects followed for one download; more is a misconfigured or hostile host. */
const MAX_REDIRECTS = 10;
export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A finished task's result: the presigned URL on the video host, and the item's limits. */
export interface VideoToDownload {
	taskId: string;
	videoUrl: string | undefined;
	itemIndex: number;
	/** Options → Max Video Size (MB), in bytes. */
	maxBytes: number;
	/**
	 * The item's Timeout, measured again from the start of the download: the whole download,
	 * every attempt, redirect and retry, ends by then, however steadily bytes trickle in.
	 */
	timeoutMs: number;
	/** Whether the body's first bytes are a video the node takes (MP4 or MOV). */
	looksLikeVideo: (head: Buffer) => boolean;
}

type ByteStream = Awaited<ReturnType<NodeContext['helpers']['getBinaryStream']>>;
export interface StreamResponse {
	statusCode: number;
	body: ByteStream;
	headers?: Record<string, unknown>;
}

/**
 * The video URL is a presigned link on another host: it is fetched with the plain request
 * helper, so the API key is never sent there. Network errors, 408, 429 and 5xx are retried;
 * what cannot get better by asking again (a non-http(s) URL, a bad redirect, a local limit, any
 * other 4xx) fails at once.
 */
export async function downloadVideo(
	ctx: NodeContext,
	video: VideoToDownload,
): Promise<IBinaryData> {
	const { taskId, videoUrl, itemIndex } = video;
	if (!videoUrl) {
		throw new NodeApiError(ctx.getNode(), { taskId } as JsonObject, {
			message: `Task ${taskId} succeeded but the API gave no video URL`,
			itemIndex,
		});
	}
	const scheme = schemeOf(videoUrl);
	if (scheme !== 'http:' && scheme !== 'https:') {
		throw downloadError(
			ctx,
			video,
			`The video URL of task ${taskId} is ${scheme ? `a ${scheme} URL` : 'not a URL'}, not http(s): it was not downloaded`,
		);
	}
	const signal = ctx.getExecutionCancelSignal?.();
	const startedAt = Date.now();
	const deadline = startedAt + video.timeoutMs;
	return await withRetries(async () => await fetchVideo(ctx, video, videoUrl, deadline, signal), {
		call: 'read',
		deadline: Math.min(deadline, startedAt + DOWNLOAD_RETRY_BUDGET_MS),
		signal,
	});
}

/**
 * One attempt, redirects followed here (not by the HTTP client) so that each hop's protocol is
 * checked and a loop is seen. The body streams into n8n's binary storage, so in filesystem or
 * S3 mode a large video never sits in memory whole.
 */
async function fetchVideo(
	ctx: NodeContext,
	video: VideoToDownload,
	videoUrl: string,
	deadline: number,
	signal: AbortSignal | undefined,
): Promise<IBinaryData> {
	const { taskId } = video;
	const visited = new Set<string>();
	let url = videoUrl;
	for (;;) {
		visited.add(url);
		const response = await getOnce(ctx, video, url, deadline, signal);
		const location = response.headers?.location;
		if (!REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') {
			return await storeVideo(ctx, video, url, response, deadline, signal);
		}
		response.body.destroy();
		const hop = redirectHop(location, url, visited);
		if ('problem' in hop) {
			throw downloadError(
				ctx,
				video,
				`The video host redirected the download of task ${taskId} ${hop.problem}`,
			);
		}
		url = hop.next;
	}
}

/**
 * Where a redirect leads, checked: only to http(s), never back to an address already visited,
 * at most MAX_REDIRECTS hops. `problem` completes "The host redirected … ". Every GET of a
 * host that is not the API (the result download, the probe of an input video) follows its
 * redirects through here.
 */
export function redirectHop(
	location: string,
	url: string,
	visited: ReadonlySet<string>,
): { next: string } | { problem: string } {
	const next = resolveRedirect(location, url);
	const scheme = next ? schemeOf(next) : undefined;
	if (!next || (scheme !== 'http:' && scheme !== 'https:')) {
		return {
			problem: `to ${scheme ? `a ${scheme} URL` : 'an address that is not a URL'}, which is not followed`,
		};
	}
	if (visited.has(next)) return { problem: `in a loop (back to ${shortened(next)})` };
	if (visited.size > MAX_REDIRECTS) return { problem: `more than ${MAX_REDIRECTS} times` };
	return { next };
}

/** One GET, bounded by the download's deadline and the execution's stop. */
async function getOnce(
	ctx: NodeContext,
	video: VideoToDownload,
	url: string,
	deadline: number,
	signal: AbortSignal | undefined,
): Promise<StreamResponse> {
	const answer = await getStream(ctx, url, {
		deadline,
		signal,
		idleTimeoutMs: DOWNLOAD_IDLE_TIMEOUT_MS,
	});
	if ('response' in answer) return answer.response;
	throw transferFailure(ctx, video, url, answer.failure, { expired: answer.expired, signal });
}

/**
 * One GET of a host that is not the API, as every such read goes: without the credential (the
 * key never goes there), redirects not followed (the caller checks each with redirectHop), the
 * body as a stream, given up at `deadline` or at the execution's stop. The answer, or why there
 * was none.
 */
export async function getStream(
	ctx: NodeContext,
	url: string,
	limits: {
		deadline: number;
		idleTimeoutMs: number;
		signal: AbortSignal | undefined;
		headers?: Record<string, string>;
	},
): Promise<{ response: StreamResponse } | { failure: unknown; expired: boolean }> {
	const { signal } = limits;
	const expiry = startExpiry(limits.deadline);
	let failure: unknown;
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			...(limits.headers ? { headers: limits.headers } : {}),
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: limits.idleTimeoutMs,
			abortSignal: signal ? AbortSignal.any([signal, expiry.signal]) : expiry.signal,
		})) as StreamResponse;
		return { response };
	} catch (error) {
		failure = error;
	} finally {
		expiry.cancel();
	}
	return { failure, expired: expiry.signal.aborted };
}

/** The answer's body into n8n's binary storage, once its status, size and first bytes pass. */
async function storeVideo(
	ctx: NodeContext,
	video: VideoToDownload,
	url: string,
	response: StreamResponse,
	deadline: number,
	signal: AbortSignal | undefined,
): Promise<IBinaryData> {
	const { taskId, maxBytes, looksLikeVideo } = video;
	const headers = response.headers ?? {};
	if (response.statusCode < 200 || response.statusCode >= 300) {
		response.body.destroy();
		throw downloadStatusError(ctx, video, response.statusCode, headers);
	}
	const announced = Number(headers['content-length']);
	if (Number.isFinite(announced) && announced > maxBytes) {
		response.body.destroy();
		throw downloadError(
			ctx,
			video,
			`The video of task ${taskId} is ${megabytes(announced)} MB, over the limit of ${limitInMegabytes(maxBytes)} MB (${MAX_VIDEO_SIZE_OPTION})`,
			'Raise Options → Max Video Size (MB) if a video this large is expected.',
		);
	}
	const guard = guardVideoBody(response.body, {
		maxBytes,
		looksLikeVideo,
		contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : '',
	});
	const expiry = startExpiry(deadline, () => response.body.destroy());
	let failure: unknown;
	let stored: IBinaryData | undefined;
	try {
		stored = await ctx.helpers.prepareBinaryData(response.body, `${taskId}.mp4`, 'video/mp4');
	} catch (error) {
		failure = error;
	} finally {
		expiry.cancel();
	}
	const problem = stored ? guard.verdict() : guard.problem;
	if (problem) throw bodyProblemError(ctx, video, problem);
	if (stored) return stored;
	throw transferFailure(ctx, video, url, failure, {
		expired: expiry.signal.aborted,
		signal,
		bytesRead: guard.bytesRead(),
	});
}

/** Why an attempt ended without an answer or a whole body: a stop, the deadline, the network. */
function transferFailure(
	ctx: NodeContext,
	video: VideoToDownload,
	url: string,
	failure: unknown,
	seen: { expired: boolean; signal: AbortSignal | undefined; bytesRead?: number },
): Error {
	if (seen.signal?.aborted) return new ExecutionStoppedError();
	if (seen.expired) {
		return downloadError(
			ctx,
			video,
			`Downloading the video of task ${video.taskId} took longer than ${Math.round(video.timeoutMs / 1000)} s (Options → Timeout): given up after ${megabytes(seen.bytesRead ?? 0)} MB`,
			'Raise Options → Timeout for a slow video host.',
		);
	}
	if (failure instanceof NodeApiError) return failure;
	// A connection that broke before or during the body: reading again is safe.
	const error = networkError(
		ctx,
		{ method: 'GET', url },
		failure,
		video.itemIndex,
		'the video host',
	);
	error.message = `${error.message}, downloading the video of task ${video.taskId}`;
	appendToDescription(error, succeededAdvice(video.taskId));
	return error;
}

function bodyProblemError(
	ctx: NodeContext,
	video: VideoToDownload,
	problem: VideoBodyProblem,
): NodeApiError {
	const { taskId, maxBytes } = video;
	if (problem.kind === 'tooLarge') {
		return downloadError(
			ctx,
			video,
			`The video of task ${taskId} passed the limit of ${limitInMegabytes(maxBytes)} MB while downloading (${megabytes(problem.bytesRead)} MB read; ${MAX_VIDEO_SIZE_OPTION})`,
			'Raise Options → Max Video Size (MB) if a video this large is expected.',
		);
	}
	return downloadError(
		ctx,
		video,
		`The video host's answer for task ${taskId} is not an MP4 or MOV video (content type "${problem.contentType || 'none'}"; it starts "${problem.start}")`,
		'The URL may lead to a sign-in or error page instead of the file.',
	);
}

/**
 * A download failure that asking again cannot mend: not retried. The task itself succeeded, so
 * the advice is how to get its video, never that it may still be running.
 */
function downloadError(
	ctx: NodeContext,
	{ taskId, itemIndex }: VideoToDownload,
	message: string,
	hint?: string,
): NodeApiError {
	const error = new NodeApiError(ctx.getNode(), { taskId } as JsonObject, {
		message,
		description: [hint, succeededAdvice(taskId)].filter(Boolean).join(' '),
		itemIndex,
	});
	error.context.taskId = taskId;
	return error;
}

function succeededAdvice(taskId: string): string {
	return `Task ${taskId} succeeded; its video URL stays valid for 24 hours after it ended. Within that time run Get Task with this ID for a fresh look, or turn Download Video off and fetch the URL yourself.`;
}

function downloadStatusError(
	ctx: NodeContext,
	video: VideoToDownload,
	statusCode: number,
	headers: Record<string, unknown>,
): NodeApiError {
	const error = downloadError(
		ctx,
		video,
		`Downloading the video of task ${video.taskId} failed (HTTP ${statusCode})`,
	);
	error.httpCode = String(statusCode);
	if (statusCode === 429) {
		return markFailure(error, {
			kind: 'throttled',
			retryAfterMs: parseRetryAfter(headers['retry-after']),
		});
	}
	// 408: the host gave up waiting for us; a 5xx: the host's own trouble. Both may pass.
	return statusCode === 408 || statusCode >= 500 ? markFailure(error, { kind: 'server' }) : error;
}

/**
 * Fires `signal` (and `onExpired`) at the deadline, unless canceled first. The timer is n8n's
 * sleep, canceled through its own signal, so nothing is left running after the download.
 */
export function startExpiry(deadline: number, onExpired?: () => void) {
	const expired = new AbortController();
	const done = new AbortController();
	pause(deadline - Date.now(), done.signal).then(
		() => {
			expired.abort();
			onExpired?.();
		},
		() => undefined,
	);
	return { signal: expired.signal, cancel: () => done.abort() };
}

export function schemeOf(url: string): string | undefined {
	try {
		return new URL(url).protocol;
	} catch {
		return undefined;
	}
}

function resolveRedirect(location: string, base: string): string | undefined {
	try {
		return new URL(location, base).href;
	} catch {
		return undefined;
	}
}

function shortened(url: string): string {
	return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

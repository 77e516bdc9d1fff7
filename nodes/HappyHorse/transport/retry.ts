import type { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import { pause } from './pause';

/**
 * What went wrong with a call, as far as retrying is concerned:
 * - `throttled`: 429 / Throttling*: the API refused the call and did nothing;
 * - `unsent`: the connection was never made (refused, DNS): nothing reached the API;
 * - `server`: a 5xx: the API may or may not have acted;
 * - `ambiguous`: the connection broke or timed out after the request went out;
 * - `malformed`: a success status with a body of the wrong shape;
 * - `untrusted`: an answer the node refuses (an odd task id, another task's status, too many
 *   bytes): the same call would bring it again, so it is not repeated.
 */
export type FailureKind =
	'throttled' | 'unsent' | 'server' | 'ambiguous' | 'malformed' | 'untrusted';

/** Reads may be repeated freely; a submit or a cancel only where the API provably did nothing. */
export type CallKind = 'read' | 'write';

const RETRYABLE: Record<CallKind, ReadonlySet<FailureKind>> = {
	read: new Set(['throttled', 'unsent', 'server', 'ambiguous', 'malformed']),
	write: new Set(['throttled', 'unsent']),
};

export interface FailureMark {
	kind: FailureKind;
	retryAfterMs?: number;
}

export function markFailure<T extends NodeApiError>(error: T, mark: FailureMark): T {
	error.context.failure = mark;
	return error;
}

export function failureOf(error: unknown): FailureMark | undefined {
	const context = (error as { context?: { failure?: FailureMark } })?.context;
	return context?.failure;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/** Exponential backoff with jitter, so many tasks retrying at once do not retry in step. */
function backoffMs(attempt: number, retryAfterMs = 0): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
	return Math.max(retryAfterMs, ceiling / 2 + (Math.random() * ceiling) / 2);
}

export interface RetryOptions {
	call: CallKind;
	/** No retry starts after this moment (epoch ms): the item's timeout. */
	deadline: number;
	signal?: AbortSignal;
	maxAttempts?: number;
}

/** Runs `attempt` until it succeeds, its failure may not be retried, or time runs out. */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
	const maxAttempts = options.maxAttempts ?? 8;
	for (let index = 0; ; index++) {
		let failed: unknown;
		try {
			return await attempt();
		} catch (error) {
			failed = error;
		}
		const failure = failedRetryably(failed, options.call);
		const delay = failure ? backoffMs(index, failure.retryAfterMs) : 0;
		if (!failure || index + 1 >= maxAttempts || Date.now() + delay > options.deadline) {
			throw failed;
		}
		await pause(delay, options.signal);
	}
}

/** The failure of `error`, when a call of this kind retries it (and may have given up on it). */
export function failedRetryably(error: unknown, call: CallKind): FailureMark | undefined {
	if (error instanceof ExecutionStoppedError) return undefined;
	const failure = failureOf(error);
	return failure && RETRYABLE[call].has(failure.kind) ? failure : undefined;
}

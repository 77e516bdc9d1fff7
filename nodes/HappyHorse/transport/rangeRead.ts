import type { IExecuteFunctions } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import { REDIRECT_STATUSES, getStream, redirectHop, schemeOf, startExpiry } from './download';

/**
 * Bounded byte-range reads of a file on a host that is not the API (the input video of an
 * edit, to read its length before paying): plain GETs with a Range header, through n8n's
 * request helper without the credential, so the API key never goes there. Redirects are
 * followed here, checked as the result download checks them (download.ts, redirectHop). Every
 * answer is read only up to what was asked and what is left of the budget, then cut off, so a
 * huge, endless or range-blind answer costs at most the budget.
 */

/** Why a read gave up: completes "could not be read: …" in the estimate. */
export class RangeReadError extends Error {}

interface RangeBytes {
	/** Where the bytes start in the file. */
	start: number;
	bytes: Buffer;
	/** The file's size when the host said it (Content-Range, or Content-Length of a 200). */
	totalSize?: number;
	/** The host sent the file from its start instead of the range asked for (no range support). */
	wholeFile: boolean;
}

export interface RangeReader {
	/** `{ start, length }`: bytes from `start`; `{ suffix }`: the last `suffix` bytes. */
	read(range: { start: number; length: number } | { suffix: number }): Promise<RangeBytes>;
	/** GETs sent so far, redirect hops included. */
	readonly requests: number;
	/** Body bytes received so far. */
	readonly bytesRead: number;
	/** Body bytes that may still be read. */
	readonly bytesLeft: number;
}

/** A stalled host is given up after this long without a byte. */
const IDLE_TIMEOUT_MS = 10_000;

type ByteStream = AsyncIterable<Buffer> & { destroy(): unknown };
interface StreamResponse {
	statusCode: number;
	body: ByteStream;
	headers?: Record<string, unknown>;
}

/**
 * A reader of `url` that reads at most `budgetBytes` of body in all and gives up at `deadline`
 * (epoch ms). Only http(s) URLs; anything else is refused before a request.
 */
export function openRangeReader(
	ctx: IExecuteFunctions,
	url: string,
	limits: { budgetBytes: number; deadline: number },
): RangeReader {
	const scheme = schemeOf(url);
	const signal = ctx.getExecutionCancelSignal?.();
	let requests = 0;
	let bytesRead = 0;
	/** Where the last redirect chain ended: later reads start there. */
	let location = url;

	const get = async (target: string, range: string): Promise<StreamResponse> => {
		requests++;
		const answer = await getStream(ctx, target, {
			deadline: limits.deadline,
			idleTimeoutMs: IDLE_TIMEOUT_MS,
			signal,
			headers: { Range: range },
		});
		if ('response' in answer) return answer.response as unknown as StreamResponse;
		throw requestFailure(answer.failure, answer.expired);
	};

	/** Why a GET brought no answer: a stop, the deadline, the network. */
	const requestFailure = (failure: unknown, expired: boolean): Error => {
		if (signal?.aborted) return new ExecutionStoppedError();
		if (expired) return new RangeReadError('the host did not answer in time');
		const { code, cause } = (failure ?? {}) as { code?: unknown; cause?: { code?: unknown } };
		const reason =
			typeof code === 'string' ? code : typeof cause?.code === 'string' ? cause.code : '';
		if (reason === 'ECONNABORTED' || reason === 'ETIMEDOUT') {
			return new RangeReadError('the host did not answer in time');
		}
		return new RangeReadError(`the host could not be reached${reason ? ` (${reason})` : ''}`);
	};

	/** Follows redirects from `location` to the answer with the bytes. */
	const answerFor = async (range: string): Promise<StreamResponse> => {
		const visited = new Set<string>();
		for (;;) {
			visited.add(location);
			const response = await get(location, range);
			const next = response.headers?.location;
			if (!REDIRECT_STATUSES.has(response.statusCode) || typeof next !== 'string') return response;
			response.body.destroy();
			const hop = redirectHop(next, location, visited);
			if ('problem' in hop) throw new RangeReadError(`the host redirected ${hop.problem}`);
			location = hop.next;
		}
	};

	/**
	 * At most `want` bytes of the body, then the connection is cut. Each chunk is raced against
	 * the deadline: a destroyed body does not always end its iterator.
	 */
	const take = async (body: ByteStream, want: number): Promise<Buffer> => {
		const chunks: Buffer[] = [];
		let held = 0;
		let onExpired = () => {};
		const expired = new Promise<never>((_, reject) => {
			onExpired = () => reject(new RangeReadError('the host did not send in time'));
		});
		expired.catch(() => undefined);
		const expiry = startExpiry(limits.deadline, () => onExpired());
		signal?.addEventListener('abort', onExpired, { once: true });
		const chunksOf = body[Symbol.asyncIterator]();
		let failure: unknown;
		try {
			while (held < want) {
				const next = await Promise.race([chunksOf.next(), expired]);
				if (next.done) break;
				const bytes = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
				bytesRead += bytes.length;
				chunks.push(bytes);
				held += bytes.length;
			}
		} catch (error) {
			failure = error;
		} finally {
			expiry.cancel();
			signal?.removeEventListener('abort', onExpired);
			body.destroy();
		}
		if (failure === undefined) return Buffer.concat(chunks).subarray(0, want);
		if (signal?.aborted) throw new ExecutionStoppedError();
		throw failure instanceof RangeReadError
			? failure
			: new RangeReadError('the connection broke while reading');
	};

	return {
		get requests() {
			return requests;
		},
		get bytesRead() {
			return bytesRead;
		},
		get bytesLeft() {
			return Math.max(0, limits.budgetBytes - bytesRead);
		},
		async read(range) {
			if (scheme !== 'http:' && scheme !== 'https:') {
				throw new RangeReadError(`it is ${scheme ? `a ${scheme} URL` : 'not a URL'}, not http(s)`);
			}
			const left = Math.max(0, limits.budgetBytes - bytesRead);
			const asked = 'suffix' in range ? range.suffix : range.length;
			const want = Math.min(asked, left);
			if (want <= 0) throw new RangeReadError('the read budget is spent');
			const header =
				'suffix' in range ? `bytes=-${want}` : `bytes=${range.start}-${range.start + want - 1}`;
			const response = await answerFor(header);
			const headers = response.headers ?? {};
			if (response.statusCode === 206) {
				const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(
					String(headers['content-range'] ?? '').trim(),
				);
				if (!contentRange) {
					response.body.destroy();
					throw new RangeReadError('the host answered a range without a valid Content-Range');
				}
				const total = contentRange[3] === '*' ? undefined : Number(contentRange[3]);
				const bytes = await take(response.body, want);
				return { start: Number(contentRange[1]), bytes, totalSize: total, wholeFile: false };
			}
			if (response.statusCode === 200) {
				const length = Number(headers['content-length']);
				const bytes = await take(response.body, left);
				return {
					start: 0,
					bytes,
					totalSize: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
					wholeFile: true,
				};
			}
			response.body.destroy();
			throw new RangeReadError(`the host answered HTTP ${response.statusCode}`);
		},
	};
}

/**
 * Misbehaviour on purpose: the faults a test queues for the next requests of a kind (see
 * HappyHorseEmulator.failNextWith) and the accounts' rate limits, answered with 429.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { anyfastError, nativeError, send, sendJson } from './http';
import type {
	EmulatorLimits,
	Family,
	FaultKind,
	RecordedRequest,
	ScriptedResponse,
	SubmitFault,
} from './types';

const RATE_WINDOW_MS = 1000;
const NATIVE_INTERNAL_ERROR_MESSAGE =
	'An internal error has occured, please try again later or contact service support.';
// The page nginx answers with when the API behind it is down.
const NGINX_502_PAGE =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
	'<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const MALFORMED_JSON = '{"output": {"task_status": ';

/** Faults that commit a task, which only a submit can do. */
export function createsTask(fault: SubmitFault | undefined): boolean {
	if (!fault) return false;
	if (fault.type === 'slow') return createsTask(fault.then);
	return (
		fault.type === 'status500AfterCreate' ||
		(fault.type === 'reset' && 'afterCreate' in fault && fault.afterCreate)
	);
}

/** The queued faults, first in first out per request kind. */
export class FaultQueue {
	private readonly faults = new Map<FaultKind, SubmitFault[]>();

	add(kind: FaultKind, fault: SubmitFault): void {
		const queue = this.faults.get(kind) ?? [];
		queue.push(fault);
		this.faults.set(kind, queue);
	}

	/** Uses up the oldest fault queued for this kind, if any. */
	next(kind: FaultKind): SubmitFault | undefined {
		return this.faults.get(kind)?.shift();
	}

	clear(): void {
		this.faults.clear();
	}
}

/** The waits of 'slow' faults still pending, so stop() need not wait for them. */
export class Delays {
	private readonly pending = new Set<() => void>();

	/** Resolves true after ms, or false at once when abortAll() is called meanwhile. */
	wait(ms: number): Promise<boolean> {
		return new Promise((resolve) => {
			const finish = (elapsed: boolean): void => {
				clearTimeout(timer);
				this.pending.delete(abort);
				resolve(elapsed);
			};
			const abort = (): void => finish(false);
			const timer = setTimeout(() => finish(true), Math.max(0, ms));
			this.pending.add(abort);
		});
	}

	abortAll(): void {
		for (const abort of [...this.pending]) abort();
	}
}

/**
 * What is left to do once a fault was acted out: nothing ('answered', the fault answered or
 * dropped the request), or serve the request; a submit then calls `afterCreate` instead of
 * answering, when set.
 */
export type FaultOutcome = 'answered' | { afterCreate?: (family: Family) => void };

/** Acts out the fault of a request, if it has one. */
export async function actOut(
	fault: SubmitFault | undefined,
	req: IncomingMessage,
	res: ServerResponse,
	delays: Delays,
): Promise<FaultOutcome> {
	switch (fault?.type) {
		case undefined:
			return {};
		case 'slow':
			if (!(await delays.wait(fault.delayMs))) {
				res.destroy();
				return 'answered';
			}
			return await actOut(fault.then, req, res, delays);
		case 'status':
			sendScripted(res, fault);
			return 'answered';
		case 'reset':
			if (!('afterCreate' in fault && fault.afterCreate)) {
				req.socket.destroy();
				return 'answered';
			}
			return { afterCreate: () => req.socket.destroy() };
		case 'malformed':
			send(res, 200, MALFORMED_JSON, { 'content-type': 'application/json' });
			return 'answered';
		case 'html502':
			send(res, 502, NGINX_502_PAGE, { 'content-type': 'text/html' });
			return 'answered';
		case 'status500AfterCreate':
			return {
				afterCreate: (family) => {
					if (family === 'native') {
						sendJson(res, 500, nativeError('InternalError', NATIVE_INTERNAL_ERROR_MESSAGE));
					} else {
						sendJson(
							res,
							500,
							anyfastError(
								'InternalError: upstream request failed',
								'upstream_error',
								'InternalError',
							),
						);
					}
				},
			};
	}
}

function sendScripted(res: ServerResponse, scripted: ScriptedResponse): void {
	const isText = typeof scripted.body === 'string';
	const payload = isText ? (scripted.body as string) : JSON.stringify(scripted.body);
	send(res, scripted.status, payload, {
		'content-type': isText ? 'text/html' : 'application/json',
		...scripted.headers,
	});
}

/** Each family's account admits so many requests per sliding second (HappyHorseEmulator.limits). */
export class RateLimiter {
	/** How many 429s the rate limiter has sent, by limit. */
	readonly throttled = { submit: 0, query: 0 };

	/** Admission times inside the current sliding window, per family and limit. */
	private readonly admitted: Record<Family, Record<'submit' | 'query', number[]>> = {
		native: { submit: [], query: [] },
		anyfast: { submit: [], query: [] },
	};

	/** Reads the emulator's limits as they are at each request. */
	constructor(private readonly emulator: { readonly limits: EmulatorLimits }) {}

	reset(): void {
		this.throttled.submit = 0;
		this.throttled.query = 0;
		for (const family of ['native', 'anyfast'] as const) {
			this.admitted[family] = { submit: [], query: [] };
		}
	}

	/**
	 * Whether the account's rate limit refuses this request. Only admitted requests use up the
	 * window, so a client that backs off for Retry-After always gets through again.
	 */
	refuses(kind: RecordedRequest['kind'], family: Family): boolean {
		const limit =
			kind === 'submit'
				? 'submit'
				: kind === 'query' || kind === 'cancel' || kind === 'list'
					? 'query'
					: undefined;
		if (limit === undefined) return false;
		const limits = this.emulator.limits;
		const perSecond = limit === 'submit' ? limits.submitsPerSecond : limits.queriesPerSecond;
		if (perSecond === undefined) return false;
		const now = Date.now();
		const window = this.admitted[family][limit];
		while (window.length > 0 && window[0] <= now - RATE_WINDOW_MS) window.shift();
		if (window.length >= perSecond) {
			this.throttled[limit]++;
			return true;
		}
		window.push(now);
		return false;
	}
}

/** The 429 a refused request gets, in its family's shape. */
export function sendThrottled(res: ServerResponse, family: Family): void {
	// Retry-After tells a well-behaved client how long to back off; the real quota is per second.
	const headers = { 'retry-after': '1' };
	if (family === 'native') {
		sendJson(
			res,
			429,
			nativeError('Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.'),
			headers,
		);
	} else {
		sendJson(
			res,
			429,
			anyfastError('rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded'),
			headers,
		);
	}
}

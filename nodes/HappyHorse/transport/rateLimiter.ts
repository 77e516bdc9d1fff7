import { createHash } from 'crypto';

import { pause } from './pause';

/** What a call waits on before it goes out; `release` is called once its answer is in. */
export interface Limiter {
	acquire(signal?: AbortSignal): Promise<Release>;
}

type Release = () => void;

/**
 * At most `limit` calls in any sliding window of `windowMs`: the account's limits (5 submits
 * per second; 20 queries, cancels and lists per second) kept on our side, so a batch of any
 * size stays under them instead of collecting 429s.
 *
 * The server counts arrivals; we cannot see those, but a call has surely arrived by the time
 * its answer is back. So a call holds its place from the moment it is let through until
 * `windowMs` after its answer: however long the call waits in the engine or on the network
 * before it leaves (four executions in one busy process delay it by hundreds of milliseconds),
 * no window of the server's can ever see more than `limit` of them.
 */
export class RateLimiter {
	/** When the answers of recent calls came back (epoch ms), in order. */
	private readonly answered: number[] = [];
	private inFlight = 0;
	private waiting = 0;
	private wakeUp: Array<() => void> = [];
	private readonly capacity: number;
	private readonly windowMs: number;

	/**
	 * `limit` calls per `windowMs`. Below one (Submits per Second 0.5) a call holds its place for
	 * `windowMs / limit`: one call every 2 windows at 0.5. Above one a fraction is rounded down
	 * (2.5 lets 2 per window): rounding up would let more into a window than the limit.
	 */
	constructor(limit: number, windowMs: number) {
		this.capacity = Math.max(1, Math.floor(limit));
		this.windowMs = limit < 1 ? windowMs / limit : windowMs;
	}

	async acquire(signal?: AbortSignal): Promise<Release> {
		this.waiting++;
		try {
			for (;;) {
				const now = Date.now();
				while (this.answered.length > 0 && this.answered[0] <= now - this.windowMs) {
					this.answered.shift();
				}
				if (this.answered.length + this.inFlight < this.capacity) break;
				if (this.answered.length > 0) {
					// The oldest answered call leaves the window first.
					await pause(this.answered[0] + this.windowMs - now, signal);
				} else {
					// Every place is held by a call in flight: its answer frees one.
					await this.nextAnswer(signal);
				}
			}
		} finally {
			this.waiting--;
		}
		this.inFlight++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.inFlight--;
			this.answered.push(Date.now());
			const wake = this.wakeUp;
			this.wakeUp = [];
			for (const resolve of wake) resolve();
		};
	}

	/** Whether the limiter holds no state a fresh one would not. */
	isIdle(now: number): boolean {
		const last = this.answered[this.answered.length - 1];
		return (
			this.inFlight === 0 &&
			this.waiting === 0 &&
			(last === undefined || last <= now - this.windowMs)
		);
	}

	private async nextAnswer(signal?: AbortSignal): Promise<void> {
		const answered = new Promise<void>((resolve) => this.wakeUp.push(resolve));
		// An answer normally comes within the request's own timeout; the pause bounds the wait
		// all the same, and ends it at once when the execution is stopped.
		await Promise.race([answered, pause(this.windowMs, signal)]);
	}
}

/**
 * A margin over the server's one-second window, for the server's own clock and processing.
 */
const RATE_WINDOW_MS = 1050;

/** What identifies an account's limits: the key, and the endpoint it is spent on. */
export interface AccountOfLimits {
	apiKey: string;
	baseUrl: string;
}

/**
 * Idle limiters are dropped once the registry holds this many. A busy one is never dropped: a
 * fresh limiter for the same account would let as many calls through again within the window.
 */
const MAX_ACCOUNT_LIMITERS = 64;

/**
 * The limiters of this process, one per account, call kind and rate. n8n loads the node once
 * per process and runs every execution in it (a queue-mode worker runs many at once), so module
 * scope is where limits shared by all of them live. Keyed by a hash: the plain key is never a
 * map key that could be logged or dumped.
 */
const registry = new Map<string, RateLimiter>();

/** The account as a hash: the plain key is never kept as text. */
export function accountHash(account: AccountOfLimits): string {
	return createHash('sha256')
		.update(account.apiKey)
		.update('\u0000')
		.update(account.baseUrl)
		.digest('hex');
}

function registryKey(account: AccountOfLimits, kind: string, perSecond: number): string {
	return `${accountHash(account)}:${kind}:${perSecond}`;
}

/**
 * The process's limiter for this account, call kind and rate. Idle limiters are dropped when a
 * new one is made (an idle limiter is no different from a fresh one, so nothing is lost), so the
 * registry holds no more than MAX_ACCOUNT_LIMITERS beyond the limiters busy right now.
 */
export function accountRateLimiter(
	account: AccountOfLimits,
	kind: string,
	perSecond: number,
): RateLimiter {
	return limiterOfKey(registryKey(account, kind, perSecond), perSecond);
}

function limiterOfKey(key: string, perSecond: number): RateLimiter {
	const known = registry.get(key);
	if (known) {
		// Most recently used last, so the cap below drops the least recently used.
		registry.delete(key);
		registry.set(key, known);
		return known;
	}
	const now = Date.now();
	if (registry.size >= MAX_ACCOUNT_LIMITERS) {
		for (const [other, limiter] of registry) if (limiter.isIdle(now)) registry.delete(other);
	}
	const limiter = new RateLimiter(perSecond, RATE_WINDOW_MS);
	registry.set(key, limiter);
	return limiter;
}

/**
 * A limiter that looks its account's limiter up at every call, so an execution that waits for
 * minutes between two queries never holds on to a limiter the registry has since dropped.
 */
export function sharedLimiter(account: AccountOfLimits, kind: string, perSecond: number): Limiter {
	// Hashed once per client, not at every call (bench/overhead.ts).
	const key = registryKey(account, kind, perSecond);
	return { acquire: async (signal) => await limiterOfKey(key, perSecond).acquire(signal) };
}

/** The registry's keys (hashes), for tests. */
export function accountRateLimiterKeys(): string[] {
	return [...registry.keys()];
}

import { pause } from './pause';

/**
 * At most `limit` grants in any sliding window of `windowMs`: the account's limits (5 submits
 * per second; 20 queries, cancels and lists per second) kept on our side, so a batch of any
 * size stays under them instead of collecting 429s.
 */
export class RateLimiter {
	private readonly grants: number[] = [];

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
	) {}

	async acquire(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = Date.now();
			while (this.grants.length > 0 && this.grants[0] <= now - this.windowMs) this.grants.shift();
			if (this.grants.length < this.limit) {
				this.grants.push(now);
				return;
			}
			await pause(this.grants[0] + this.windowMs - now, signal);
		}
	}
}

/**
 * The server counts arrivals, we count departures: a window a little longer than a second keeps
 * a jittery network from squeezing one call too many into the server's second.
 */
export const RATE_WINDOW_MS = 1100;

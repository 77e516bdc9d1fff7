import type { AccountOfLimits, Limiter } from './rateLimiter';
import { accountHash, sharedLimiter } from './rateLimiter';

/**
 * The share of the credential's *Status Queries per Second* that the waits of one n8n process
 * spend (docs/WAITING.md, "The budget"). Half: the other half stays free for what must not wait
 * behind a hundred looks, Get Task, List Tasks and the cancels of a stop, in this process; other
 * processes on the account have their own credential rate (docs/OPERATIONS.md, "Many items, rate limits
 * and retries"). bench/run.ts prints the frontier of this fraction against the lag.
 */
export const WAIT_BUDGET_FRACTION = 0.5;

/** This process's waits on one account: how many tasks run, and the limiter of their looks. */
export interface WaitBudget {
	/** Status queries per second the waits of this process may spend on the account. */
	readonly perSecond: number;
	/** Tasks of this process running on the account now, in every execution. */
	runningTasks(): number;
	/** Counts one execution's running tasks in, until `leave`. */
	join(): WaitingShare;
	/** Every look of a wait passes it, on top of the account's query limiter. */
	readonly limiter: Limiter;
}

export interface WaitingShare {
	set(tasks: number): void;
	leave(): void;
}

/** The running tasks of each account in this process, by account hash, per execution. */
const running = new Map<string, Map<WaitingShare, number>>();

function runningOf(key: string): number {
	let total = 0;
	for (const tasks of running.get(key)?.values() ?? []) total += tasks;
	return total;
}

/**
 * The process's wait budget for this account: WAIT_BUDGET_FRACTION of its query rate. The count
 * lives here for as long as an execution waits; an account no execution waits on holds nothing.
 */
export function waitBudget(account: AccountOfLimits, queriesPerSecond: number): WaitBudget {
	const key = accountHash(account);
	const perSecond = queriesPerSecond * WAIT_BUDGET_FRACTION;
	return {
		perSecond,
		runningTasks: () => runningOf(key),
		join: () => {
			const shares = running.get(key) ?? new Map<WaitingShare, number>();
			running.set(key, shares);
			const share: WaitingShare = {
				set: (tasks) => {
					if (running.get(key)?.has(share)) running.get(key)!.set(share, Math.max(0, tasks));
				},
				leave: () => {
					const current = running.get(key);
					current?.delete(share);
					if (current?.size === 0) running.delete(key);
				},
			};
			shares.set(share, 0);
			return share;
		},
		limiter: sharedLimiter(account, 'wait', perSecond),
	};
}

/** A call that passes both limiters, the wait budget first; its answer frees both places. */
export function bothLimiters(first: Limiter, second: Limiter): Limiter {
	return {
		acquire: async (signal) => {
			const releaseFirst = await first.acquire(signal);
			let releaseSecond: (() => void) | undefined;
			try {
				releaseSecond = await second.acquire(signal);
			} finally {
				// A stop while it waited for the second: the first place is given back.
				if (!releaseSecond) releaseFirst();
			}
			const release = releaseSecond;
			return () => {
				release();
				releaseFirst();
			};
		},
	};
}

/** Accounts with waiting tasks in this process, for tests. */
export function accountsWaiting(): number {
	return running.size;
}

import type { Limiter } from './rateLimiter';
import type { WaitBudget } from './waitBudget';
import { bothLimiters } from './waitBudget';
import type { ApiRequest, RawResponse } from './request';
import { appendToDescription, sendApiRequest } from './request';
import type { CallKind } from './retry';
import { failureOf, withRetries } from './retry';
import type { NodeContext } from './context';

/** The account's limits, shared by every call of every execution in this process. */
export interface ApiLimiters {
	submit: Limiter;
	query: Limiter;
	/** The waits' share of the queries, in this process (waitBudget.ts). */
	waitBudget: WaitBudget;
}

export interface ApiCall<T> {
	call: CallKind;
	/** `wait`: a look of the wait stage, under the wait budget and the account's query limit. */
	limiter: 'submit' | 'query' | 'wait';
	request: ApiRequest;
	/** Turns the answer into a result, or throws the family's error for it. */
	read: (response: RawResponse) => T;
	/** Retries stop here (epoch ms); reads pass the item's timeout. */
	deadline?: number;
}

/** Without a deadline of its own a call keeps retrying for about a minute: throttling clears by then. */
const DEFAULT_RETRY_BUDGET_MS = 60_000;

/** What both families share: rate limits, retries, the cancel signal. */
export abstract class ApiClientBase {
	private readonly waitLimiter: Limiter;

	constructor(
		protected readonly ctx: NodeContext,
		readonly baseUrl: string,
		protected readonly limiters: ApiLimiters,
	) {
		this.waitLimiter = bothLimiters(limiters.waitBudget.limiter, limiters.query);
	}

	get waitBudget(): WaitBudget {
		return this.limiters.waitBudget;
	}

	protected async send<T>(spec: ApiCall<T>, itemIndex: number): Promise<T> {
		const signal = spec.request.signal === null ? undefined : this.ctx.getExecutionCancelSignal?.();
		const startedAt = new Date();
		let failed: unknown;
		try {
			return await withRetries(
				async () => {
					const limiter = spec.limiter === 'wait' ? this.waitLimiter : this.limiters[spec.limiter];
					const release = await limiter.acquire(signal);
					try {
						return spec.read(await sendApiRequest(this.ctx, spec.request, itemIndex));
					} finally {
						release();
					}
				},
				{
					call: spec.call,
					deadline: spec.deadline ?? Date.now() + DEFAULT_RETRY_BUDGET_MS,
					signal,
				},
			);
		} catch (error) {
			failed = error;
		}
		if (spec.call === 'write') explainAmbiguousWrite(failed, startedAt);
		throw failed;
	}
}

/**
 * A write that failed after reaching the API may have acted: a submit may have created (and
 * billed) a task. It is never repeated; the user is told how to check instead.
 */
function explainAmbiguousWrite(error: unknown, startedAt: Date): void {
	const failure = failureOf(error);
	if (!failure || failure.kind === 'throttled' || failure.kind === 'unsent') return;
	appendToDescription(
		error,
		`The request reached the API before it failed, so it may have taken effect: a submit may have created a task. It was not sent again, to avoid paying twice. Check with the List Tasks operation (tasks since ${startedAt.toISOString()}) before running this item again.`,
	);
	const { context } = error as { context?: Record<string, unknown> };
	if (context) context.mayHaveCreatedTask = true;
}

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ItemState } from './itemState';
import type { Charge } from './spendingLedger';
import { addCharges, committedIn } from './spendingLedger';

/**
 * Options → Max Cost per Execution and Max Billed Seconds per Execution, over the whole run:
 * this run's estimate plus what earlier HappyHorse runs of the same execution committed
 * (pipeline/spendingLedger.ts). Over a limit, no item of the run is uploaded or submitted and
 * each carries the error. A money limit where the price is unknown is refused, never passed.
 */

export interface CostLimits {
	maxCost?: number;
	maxSeconds?: number;
}

/** What each item of this execution reserved, given back when its task was never created. */
const reserved = new WeakMap<ItemState, { executionId: string; charge: Charge }>();

const MAX_COST = 'Options → Max Cost per Execution (maxCostPerExecution)';
const MAX_SECONDS = 'Options → Max Billed Seconds per Execution (maxBilledSecondsPerExecution)';
const ESTIMATE_ONLY_HINT =
	'Options → Estimate Only shows what each item would cost without uploading or submitting anything.';

/** A figure as messages print it: no float noise, no trailing zeros. */
function shown(value: number): string {
	return String(Math.round(value * 1e6) / 1e6);
}

function chargeOf(state: ItemState): Charge {
	const estimate = state.estimate ?? {};
	return {
		seconds: Number(estimate.billedSeconds ?? 0),
		amount: typeof estimate.amount === 'number' ? estimate.amount : null,
		currency: typeof estimate.currency === 'string' ? estimate.currency : null,
	};
}

/** The strictest value set on any item: a limit is the run's, whichever item sets it. */
function strictest(values: Array<number | undefined>): number | undefined {
	const set = values.filter((value): value is number => value !== undefined);
	return set.length > 0 ? Math.min(...set) : undefined;
}

/**
 * Checks the run against the limits and reserves the share of the items that will be
 * submitted. `dryRun` items (Estimate Only) are checked the same way but reserve nothing.
 * No await between the check and the reservation: runs of one execution at the same time
 * cannot both pass on the same room.
 */
export function checkAndReserve(
	ctx: IExecuteFunctions,
	states: ItemState[],
	dryRun: ReadonlySet<ItemState>,
	limitsOf: (state: ItemState) => CostLimits,
): void {
	const checked = states.filter((state) => !state.error);
	if (checked.length === 0) return;
	const maxCost = strictest(checked.map((state) => limitsOf(state).maxCost));
	const maxSeconds = strictest(checked.map((state) => limitsOf(state).maxSeconds));
	if (maxCost === undefined && maxSeconds === undefined) {
		reserve(ctx, checked, dryRun);
		return;
	}
	const refuse = (state: ItemState, message: string, description: string) => {
		state.error = new NodeOperationError(ctx.getNode(), `Item ${state.itemIndex}: ${message}`, {
			itemIndex: state.itemIndex,
			description,
		});
	};
	const charges = checked.map(chargeOf);
	if (maxCost !== undefined) {
		const unpriced = checked.filter((state) => chargeOf(state).amount === null);
		if (unpriced.length > 0) {
			for (const state of checked) {
				refuse(
					state,
					`${MAX_COST} is set, but the price of ${unpriced.includes(state) ? "this item's task" : `item ${unpriced[0].itemIndex}'s task`} is unknown (${unknownPriceReason(unpriced[0])}), so the limit cannot be kept. Nothing was uploaded or submitted`,
					"Set the account's prices on the HappyHorse credential (Use My Own Prices), or limit Max Billed Seconds per Execution instead, which applies on every endpoint.",
				);
			}
			return;
		}
	}
	const executionId = ctx.getExecutionId();
	const committed = committedIn(executionId);
	const runSeconds = charges.reduce((sum, charge) => sum + charge.seconds, 0);
	const tasks = `${checked.length} task${checked.length === 1 ? '' : 's'}`;
	const untouched = 'Nothing of this run was uploaded or submitted';
	if (maxSeconds !== undefined && committed.seconds + runSeconds > maxSeconds + 1e-9) {
		const needed = shown(committed.seconds + runSeconds);
		for (const state of checked) {
			refuse(
				state,
				`This run would pass the execution's limit of billed seconds: it is estimated at ${shown(runSeconds)} s of video (${tasks}), earlier HappyHorse runs of this execution committed ${shown(committed.seconds)} s, and ${MAX_SECONDS} is ${shown(maxSeconds)} s. ${untouched}`,
				`To allow it, raise ${MAX_SECONDS} to at least ${needed}, or make fewer or shorter videos. ${ESTIMATE_ONLY_HINT}`,
			);
		}
		return;
	}
	if (maxCost !== undefined) {
		const currency = charges[0].currency as string;
		const runAmount = charges.reduce((sum, charge) => sum + (charge.amount ?? 0), 0);
		const before = committed.amounts[currency] ?? 0;
		if (before + runAmount > maxCost + 1e-9) {
			const needed = shown(before + runAmount);
			for (const state of checked) {
				refuse(
					state,
					`This run would pass the execution's spending limit: it is estimated at ${shown(runAmount)} ${currency} (${shown(runSeconds)} s of video, ${tasks}), earlier HappyHorse runs of this execution committed ${shown(before)} ${currency}, and ${MAX_COST} is ${shown(maxCost)} ${currency}. ${untouched}`,
					`To allow it, raise ${MAX_COST} to at least ${needed} ${currency}, or make fewer, shorter or lower-resolution videos. ${ESTIMATE_ONLY_HINT}`,
				);
			}
			return;
		}
	}
	reserve(ctx, checked, dryRun);
}

function reserve(ctx: IExecuteFunctions, checked: ItemState[], dryRun: ReadonlySet<ItemState>) {
	const executionId = ctx.getExecutionId();
	const going = checked.filter((state) => !dryRun.has(state));
	const charges = going.map(chargeOf);
	addCharges(executionId, charges);
	going.forEach((state, index) => reserved.set(state, { executionId, charge: charges[index] }));
}

function unknownPriceReason(state: ItemState): string {
	const pricing = state.pricing;
	if (!pricing?.region && !pricing?.account) {
		return 'the endpoint bills at its own prices, which the node does not know';
	}
	if (!pricing.resolution) return `no price for resolution ${String(state.estimate?.resolution)}`;
	return `no list price for ${String(pricing.model)} at ${pricing.resolution}`;
}

/**
 * After the submit stage: an item whose task surely was not created gives its reservation
 * back. A submit that may have reached the API keeps it: the task may exist and be billed.
 */
export function releaseUnsubmitted(states: ItemState[]): void {
	for (const state of states) {
		const held = reserved.get(state);
		if (!held) continue;
		reserved.delete(state);
		const context = (state.error as { context?: Record<string, unknown> } | undefined)?.context;
		const mayExist = state.stoppedDuringSubmit === true || context?.mayHaveCreatedTask === true;
		if (state.taskId === undefined && !mayExist) {
			addCharges(held.executionId, [held.charge], -1);
		}
	}
}

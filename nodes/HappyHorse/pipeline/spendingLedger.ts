/**
 * What the HappyHorse runs of one execution have committed: the estimates of the tasks they
 * submitted (or may have submitted), kept in this process's memory per execution id, so that
 * Options → Max Cost per Execution and Max Billed Seconds per Execution cover loops, Loop Over
 * Items and an agent's repeated tool calls (docs/COSTS.md, "Limits"). An execution runs in one
 * process (in queue mode, on one worker); a resume on another worker after a long Wait starts
 * from an empty ledger there, which docs/COSTS.md says.
 */

/** What one execution has committed so far. */
export interface Committed {
	seconds: number;
	/** Money per currency; seconds of unknown price count only in `seconds`. */
	amounts: Record<string, number>;
	/** Seconds whose price was unknown when they were committed. */
	unpricedSeconds: number;
}

/** One task's share, reserved before its submit. */
export interface Charge {
	seconds: number;
	amount: number | null;
	currency: string | null;
}

/**
 * Executions remembered; the least recently used is forgotten first. An entry is a few numbers,
 * so this bounds the ledger at well under a megabyte while covering any number of executions
 * that run at one time in a process.
 */
const MAX_EXECUTIONS = 10_000;

const ledger = new Map<string, Committed>();

function entryOf(executionId: string): Committed {
	let entry = ledger.get(executionId);
	if (entry) {
		// Refreshed: a Map iterates in insertion order, so the oldest key is the least recent.
		ledger.delete(executionId);
	} else {
		entry = { seconds: 0, amounts: {}, unpricedSeconds: 0 };
	}
	ledger.set(executionId, entry);
	while (ledger.size > MAX_EXECUTIONS) ledger.delete(ledger.keys().next().value as string);
	return entry;
}

/** What the execution has committed, as a copy. */
export function committedIn(executionId: string): Committed {
	const entry = ledger.get(executionId);
	return entry
		? { ...entry, amounts: { ...entry.amounts } }
		: { seconds: 0, amounts: {}, unpricedSeconds: 0 };
}

/**
 * Adds charges to the execution; `sign` -1 gives back the reservation of a task that was never
 * created. Called without an await between the limit check and the reservation, so two runs of
 * one execution at the same time (an agent calling tools in parallel) cannot both pass on the
 * same room.
 */
export function addCharges(executionId: string, charges: readonly Charge[], sign: 1 | -1 = 1) {
	const entry = entryOf(executionId);
	for (const charge of charges) {
		entry.seconds = Math.max(0, entry.seconds + sign * charge.seconds);
		if (charge.amount === null || charge.currency === null) {
			entry.unpricedSeconds = Math.max(0, entry.unpricedSeconds + sign * charge.seconds);
			continue;
		}
		const before = entry.amounts[charge.currency] ?? 0;
		entry.amounts[charge.currency] = Math.max(0, before + sign * charge.amount);
	}
}

import type { TaskStatus } from '../schemas/task';

/**
 * When the wait stage looks at each task: pure functions of what is known about it, so the
 * schedule can be read (and tested) apart from the loop that follows it (poll.ts). The rules,
 * with their figures, are in docs/WAITING.md.
 *
 * 1. Budget: the waiting tasks of one n8n process share a budget of status queries per second
 *    (transport/waitBudget.ts). No task is looked at more often than its share, one look per
 *    `running / budget` seconds (PENDING tasks, on their back-off, leave it to the running), nor more than once a second (unless the Poll Interval is
 *    shorter); the budget's limiter holds the rest, so a hundred waiting tasks stay under it
 *    whatever their schedules say.
 * 2. Longest gap: no gap is longer than the Poll Interval, unless the budget's share is.
 * 3. Expected end: a running task's end is expected at its start plus its expected run. The
 *    start is the API's `scheduled_time` (kept between the last PENDING and the first RUNNING
 *    sighting, so a skewed server clock cannot move it out of what was seen), else the last
 *    PENDING sighting, the earliest it can have started. The run is the shortest recent one of
 *    its kind remembered in this process (runTimeMemory.ts), or what the gateway's `progress`
 *    implies, whichever is shorter. Before the expected end the gap is a third of the time
 *    left; from there on, the budget's gap, the last look on the end itself; past it, a
 *    quarter of how late the task is.
 * 4. Nothing expected (a new kind, Get Task of another run's task): the gap is a twentieth of
 *    how long the task has run, at most 2 s, so a lone task is seen within seconds of its end.
 * 5. Waiting to start: a PENDING task is looked at 1 s after it is handed over, then 3, 9, 27 …
 *    seconds later, the first gap at the Poll Interval spread over five places so a batch is
 *    looked at in turn; when a task ends, the oldest PENDING ones (the account starts them in
 *    submit order, one per freed slot) and those expected to be done are looked at at once.
 */

/** The first look at a task in a new status; also the shortest gap the budget ever gives. */
const FIRST_CHECK_MS = 1_000;

/** How much longer each gap of a PENDING task's back-off is than the one before (rule 5). */
const BACKOFF_FACTOR = 3;

/** How many places rule 5 spreads the batch's looks over: the tasks an account runs at once. */
const SPREAD_PLACES = 5;

/** Rule 3: before the expected end, the gap is this part of the time left. */
const APPROACH_FRACTION = 1 / 3;

/** Rule 3: past the expected end, the gap is this part of how late the task already is. */
const OVERDUE_FRACTION = 1 / 4;

/** Rule 4: with no expected end, the gap is this part of how long the task has run … */
const UNEXPECTED_FRACTION = 1 / 20;

/** … and never more than this (Alibaba's SDK looks at least every 5 s; docs/API.md, Limits). */
const UNEXPECTED_MAX_GAP_MS = 2_000;

/** A progress under this says too little about the whole run (1 % of 3 min is 2 s). */
const PROGRESS_TRUSTED_FROM = 0.1;

/** The share of the process's wait budget this task may spend (rule 1). */
export interface BudgetShare {
	/** Tasks of this process running on the account (PENDING ones go by their back-off). */
	runningTasks: number;
	/** The status queries per second the waits of this process may spend. */
	perSecond: number;
}

/** What the schedule needs to know about one task. */
export interface TaskOnSchedule {
	itemIndex: number;
	status: TaskStatus;
	/** Looks since its status last changed, this one included; 0 right after a hand-off. */
	checksSinceChange: number;
	pollIntervalMs: number;
	/** The last time (epoch ms) it was seen PENDING, or handed over as such. */
	pendingSeenAt?: number;
	/** The first time (epoch ms) it was seen RUNNING. */
	runningSeenAt?: number;
	/** When the API says it started (`scheduled_time`, epoch ms). */
	startedAt?: number;
	/** The gateway's progress, 0 to 1, and when it was read (epoch ms). */
	progress?: { fraction: number; seenAt: number };
	/** The shortest recent run of its kind in this process (ms). */
	rememberedRunMs?: number;
}

/**
 * Rules 1 and 2: the budget's share of one task (never undercut), and the shortest and the
 * longest gap between two looks at it. The second between looks yields to a Poll Interval under
 * a second, and to the expected end (rule 3).
 */
export function gapLimits(
	budget: BudgetShare,
	pollIntervalMs: number,
): { share: number; shortest: number; longest: number } {
	const share = Math.ceil((Math.max(1, budget.runningTasks) * 1000) / budget.perSecond);
	const longest = Math.max(share, pollIntervalMs);
	return { share, shortest: Math.min(longest, Math.max(share, FIRST_CHECK_MS)), longest };
}

/** Rule 5: the gap after the `checks`-th look at a PENDING task. */
export function backoffGap(checks: number, itemIndex: number, pollIntervalMs: number): number {
	const gap = FIRST_CHECK_MS * BACKOFF_FACTOR ** checks;
	if (gap < pollIntervalMs) return gap;
	const firstAtInterval =
		checks === 0 || FIRST_CHECK_MS * BACKOFF_FACTOR ** (checks - 1) < pollIntervalMs;
	if (!firstAtInterval) return pollIntervalMs;
	const place = (itemIndex % SPREAD_PLACES) + 1;
	return (pollIntervalMs * place) / SPREAD_PLACES;
}

/** Rule 3: the earliest the task can have started, as far as it was seen. */
export function startOf(task: TaskOnSchedule): number | undefined {
	const earliest = task.pendingSeenAt ?? -Infinity;
	const latest = task.runningSeenAt ?? Infinity;
	if (task.startedAt !== undefined) return Math.min(latest, Math.max(earliest, task.startedAt));
	return task.pendingSeenAt ?? task.runningSeenAt;
}

/** Rule 3: when a running task is expected to end, if anything tells. */
export function expectedEndOf(task: TaskOnSchedule): number | undefined {
	if (task.status !== 'RUNNING') return undefined;
	const start = startOf(task);
	if (start === undefined) return undefined;
	const runs: number[] = [];
	if (task.rememberedRunMs !== undefined) runs.push(task.rememberedRunMs);
	const progress = task.progress;
	if (progress && progress.fraction >= PROGRESS_TRUSTED_FROM && progress.fraction < 1) {
		const elapsed = progress.seenAt - start;
		if (elapsed > 0) runs.push(elapsed / progress.fraction);
	}
	return runs.length > 0 ? start + Math.min(...runs) : undefined;
}

/** When to look at a task next, after a look (or a hand-off) at `now`. */
export function nextCheckAt(task: TaskOnSchedule, budget: BudgetShare, now: number): number {
	const { share, shortest, longest } = gapLimits(budget, task.pollIntervalMs);
	const within = (gap: number) => Math.min(longest, Math.max(shortest, gap));
	if (task.status !== 'RUNNING') {
		return now + within(backoffGap(task.checksSinceChange, task.itemIndex, task.pollIntervalMs));
	}
	const expectedEnd = expectedEndOf(task);
	if (expectedEnd === undefined) {
		const ran = now - (startOf(task) ?? now);
		return now + within(Math.min(UNEXPECTED_MAX_GAP_MS, ran * UNEXPECTED_FRACTION));
	}
	const left = expectedEnd - now;
	// The last look before the end falls on it, sooner than a second if the share allows.
	if (left > 0) return now + Math.max(share, Math.min(left, within(left * APPROACH_FRACTION)));
	return now + within(-left * OVERDUE_FRACTION);
}

/**
 * Rule 5, when other tasks have just ended at `now`: the next look at this one, never later
 * than it was. A PENDING task is looked at at once if it is one of the oldest PENDING ones, as
 * many as tasks ended (`startsNext`); the others cannot have started and keep their back-off.
 * A running task expected to be done by now is looked at at once, the others by their end.
 */
export function nextCheckAfterAnEnd(
	task: TaskOnSchedule,
	scheduledAt: number,
	now: number,
	startsNext: boolean,
): number {
	if (task.status === 'PENDING') return startsNext ? Math.min(scheduledAt, now) : scheduledAt;
	const expectedEnd = expectedEndOf(task);
	if (expectedEnd === undefined) return scheduledAt;
	return Math.min(scheduledAt, Math.max(now, expectedEnd));
}

/** The PENDING tasks that may have taken the slots `ended` tasks freed: the oldest ones. */
export function pendingThatStartNext(tasks: TaskOnSchedule[], ended: number): Set<number> {
	const pending = tasks
		.filter((task) => task.status === 'PENDING')
		.map((task) => task.itemIndex)
		.sort((a, b) => a - b);
	return new Set(pending.slice(0, ended));
}

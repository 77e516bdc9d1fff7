import type { TaskSnapshot, TaskStatus } from '../schemas/task';

/**
 * When the wait stage looks at each task: pure functions of what the batch has seen so far, so
 * the schedule can be read (and tested) apart from the loop that follows it (poll.ts).
 *
 * Three rules, each paying for itself in queries (the account's 20 per second are shared by
 * every execution) or in detection lag (docs/API.md, Limits: tasks take 1–5 minutes, 5 run at
 * once per account):
 * 1. Back off: a task is looked at 1 s after it is handed over or changes status, then 3, 9,
 *    27 … seconds later, up to the Poll Interval. A short task is seen soon, a long one costs
 *    few queries. (Tripling rather than doubling saves two looks per long task; what it costs
 *    a short task the batch wins back by rule 3, bench/polling.ts measures both.)
 * 2. Spread: when a task's gap first reaches the Poll Interval, that one gap is shortened by a
 *    fifth per place of the item among five (item 0: a fifth, item 4: the whole interval). Five
 *    tasks that started together are then looked at in turn, one every fifth of the interval,
 *    instead of all at once: the batch as a whole is seen five times as often, for no extra
 *    query.
 * 3. Learn: tasks of one batch tend to take about as long as each other. Once a task of the
 *    batch has succeeded, the shortest run seen so far is what the others are expected to take:
 *    a running task is looked at no later than that long after it was last seen PENDING (the
 *    earliest it can have started), and past that every 2 s, backing off as it runs late. When
 *    a task ends, the others that are expected to be done by now, and the oldest PENDING one
 *    (it has likely just taken the freed slot), are looked at right away.
 */

/** The first look at a task in a new status. */
const FIRST_CHECK_MS = 1_000;

/** How much longer each gap of the back-off is than the one before (rule 1). */
const BACKOFF_FACTOR = 3;

/** How many places rule 2 spreads the batch's looks over: the tasks an account runs at once. */
const SPREAD_PLACES = 5;

/** The shortest gap between looks at a task that runs past its expected end (rule 3). */
const OVERDUE_CHECK_MS = 2_000;

/** What the schedule needs to know about one task. */
export interface TaskOnSchedule {
	itemIndex: number;
	status: TaskStatus;
	/** Looks since its status last changed, this one included; 0 right after a hand-off. */
	checksSinceChange: number;
	pollIntervalMs: number;
	/** The last time (epoch ms) it was seen PENDING, or handed over as such. */
	pendingSeenAt?: number;
}

/** Rules 1 and 2: the gap after the `checks`-th look since the last change of status. */
export function backoffGap(checks: number, itemIndex: number, pollIntervalMs: number): number {
	const gap = FIRST_CHECK_MS * BACKOFF_FACTOR ** checks;
	if (gap < pollIntervalMs) return gap;
	const firstAtInterval =
		checks === 0 || FIRST_CHECK_MS * BACKOFF_FACTOR ** (checks - 1) < pollIntervalMs;
	if (!firstAtInterval) return pollIntervalMs;
	const place = (itemIndex % SPREAD_PLACES) + 1;
	return (pollIntervalMs * place) / SPREAD_PLACES;
}

/** When a running task is expected to end (rule 3), if the batch has taught anything yet. */
function expectedEndAt(task: TaskOnSchedule, learnedRunMs: number | undefined): number | undefined {
	if (task.status !== 'RUNNING' || learnedRunMs === undefined) return undefined;
	if (task.pendingSeenAt === undefined) return undefined;
	return task.pendingSeenAt + learnedRunMs;
}

/** When to look at a task next, after a look (or a hand-off) at `now`. */
export function nextCheckAt(
	task: TaskOnSchedule,
	learnedRunMs: number | undefined,
	now: number,
): number {
	const backoff = now + backoffGap(task.checksSinceChange, task.itemIndex, task.pollIntervalMs);
	const expectedEnd = expectedEndAt(task, learnedRunMs);
	if (expectedEnd === undefined) return backoff;
	if (now < expectedEnd) return Math.min(backoff, expectedEnd);
	const overdue = now - expectedEnd;
	return now + Math.min(task.pollIntervalMs, Math.max(OVERDUE_CHECK_MS, overdue));
}

/**
 * Rule 3, when other tasks of the batch have just ended at `now`: the next look at this one,
 * never later than it was. A PENDING task is looked at at once if it is one of the oldest
 * PENDING ones, as many as tasks ended (`startsNext`): the account starts waiting tasks in the
 * order they were submitted, one per freed slot (docs/API.md, Limits), so the others cannot
 * have started and keep their back-off.
 */
export function nextCheckAfterAnEnd(
	task: TaskOnSchedule,
	learnedRunMs: number | undefined,
	scheduledAt: number,
	now: number,
	startsNext: boolean,
): number {
	if (task.status === 'PENDING') return startsNext ? Math.min(scheduledAt, now) : scheduledAt;
	const expectedEnd = expectedEndAt(task, learnedRunMs);
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

/**
 * What the batch has taught (rule 3): the shortest run of its succeeded tasks, from the API's
 * own start and end times (a difference of two server times, so clock skew plays no part).
 * A failed task is no guide: it may have been refused early.
 */
export function learnedRunTime(snapshots: Array<TaskSnapshot | undefined>): number | undefined {
	let shortest: number | undefined;
	for (const snapshot of snapshots) {
		if (snapshot?.status !== 'SUCCEEDED' || !snapshot.startedAt || !snapshot.finishedAt) continue;
		const run = Date.parse(snapshot.finishedAt) - Date.parse(snapshot.startedAt);
		if (Number.isFinite(run) && run >= 0 && (shortest === undefined || run < shortest)) {
			shortest = run;
		}
	}
	return shortest;
}

import type { BudgetShare, TaskOnSchedule } from '../nodes/HappyHorse/pipeline/pollSchedule';
import {
	backoffGap,
	gapLimits,
	expectedEndOf,
	nextCheckAfterAnEnd,
	nextCheckAt,
	pendingThatStartNext,
	startOf,
} from '../nodes/HappyHorse/pipeline/pollSchedule';

/** The poll schedule's rules (pipeline/pollSchedule.ts) as exact times for given histories. */

const INTERVAL = 20_000;
/** One task waiting on a budget of 10 queries per second: the budget allows a look a second. */
const ALONE: BudgetShare = { runningTasks: 1, perSecond: 10 };

function running(overrides: Partial<TaskOnSchedule> = {}): TaskOnSchedule {
	return {
		itemIndex: 0,
		status: 'RUNNING',
		checksSinceChange: 0,
		pollIntervalMs: INTERVAL,
		...overrides,
	};
}

describe('rule 1: the budget', () => {
	test('one look per waiting / budget seconds, never more than one a second', () => {
		const shortest = (runningTasks: number, perSecond: number) =>
			gapLimits({ runningTasks, perSecond }, INTERVAL).shortest;
		expect(shortest(1, 10)).toBe(1_000);
		expect(shortest(10, 10)).toBe(1_000);
		expect(shortest(100, 10)).toBe(10_000);
		expect(shortest(7, 2.5)).toBe(2_800);
		expect(shortest(0, 10)).toBe(1_000);
	});

	test('a Poll Interval under a second is the longest gap, but never under the share', () => {
		expect(gapLimits({ runningTasks: 1, perSecond: 10 }, 10)).toEqual({
			share: 100,
			shortest: 100,
			longest: 100,
		});
		expect(gapLimits({ runningTasks: 1, perSecond: 10 }, 500)).toEqual({
			share: 100,
			shortest: 500,
			longest: 500,
		});
		expect(gapLimits({ runningTasks: 1, perSecond: 10 }, INTERVAL)).toEqual({
			share: 100,
			shortest: 1_000,
			longest: INTERVAL,
		});
	});

	test('a hundred waiting tasks: every gap is at least the share, whatever the task expects', () => {
		const crowd: BudgetShare = { runningTasks: 100, perSecond: 10 };
		// Due now by its expected end, but the share is one look per 10 s.
		const due = running({ pendingSeenAt: 0, rememberedRunMs: 60_000 });
		expect(nextCheckAt(due, crowd, 60_000)).toBe(70_000);
		expect(nextCheckAt(running({ pendingSeenAt: 0 }), crowd, 5_000)).toBe(15_000);
		expect(nextCheckAt(running({ status: 'PENDING' }), crowd, 0)).toBe(10_000);
	});
});

describe('rule 2: the Poll Interval is the longest gap, unless the budget share is longer', () => {
	test('far from its expected end a task waits the interval, no more', () => {
		const task = running({ pendingSeenAt: 0, rememberedRunMs: 600_000 });
		expect(nextCheckAt(task, ALONE, 10_000)).toBe(30_000);
		expect(nextCheckAt({ ...task, pollIntervalMs: 5_000 }, ALONE, 10_000)).toBe(15_000);
	});

	test('a share longer than the interval wins: the budget is never overspent', () => {
		const task = running({ pendingSeenAt: 0, rememberedRunMs: 600_000, pollIntervalMs: 5_000 });
		expect(nextCheckAt(task, { runningTasks: 100, perSecond: 10 }, 10_000)).toBe(20_000);
	});
});

describe('rule 3: the expected end', () => {
	test('the start is scheduled_time, kept between the last PENDING and the first RUNNING sighting', () => {
		expect(startOf(running({ startedAt: 5_000, pendingSeenAt: 4_000, runningSeenAt: 6_000 }))).toBe(
			5_000,
		);
		// A server clock ahead or behind cannot move the start out of what was seen.
		expect(startOf(running({ startedAt: 9_000, pendingSeenAt: 4_000, runningSeenAt: 6_000 }))).toBe(
			6_000,
		);
		expect(startOf(running({ startedAt: 1_000, pendingSeenAt: 4_000, runningSeenAt: 6_000 }))).toBe(
			4_000,
		);
		expect(startOf(running({ startedAt: 1_000 }))).toBe(1_000);
	});

	test('without scheduled_time: the last PENDING sighting, else the first RUNNING one', () => {
		expect(startOf(running({ pendingSeenAt: 4_000, runningSeenAt: 6_000 }))).toBe(4_000);
		expect(startOf(running({ runningSeenAt: 6_000 }))).toBe(6_000);
		expect(startOf(running())).toBeUndefined();
	});

	test('the end: start plus the remembered run, or what progress implies, whichever is sooner', () => {
		const task = running({ startedAt: 10_000, rememberedRunMs: 60_000 });
		expect(expectedEndOf(task)).toBe(70_000);
		// 40 % done 20 s after the start: 50 s in all.
		const progress = { fraction: 0.4, seenAt: 30_000 };
		expect(expectedEndOf({ ...task, progress })).toBe(60_000);
		expect(expectedEndOf({ ...task, rememberedRunMs: undefined, progress })).toBe(60_000);
		// Progress that says the run is longer does not push the remembered end out.
		expect(expectedEndOf({ ...task, progress: { fraction: 0.1, seenAt: 30_000 } })).toBe(70_000);
		// Under 10 % says too little; 100 % is no run time.
		const tooEarly = { fraction: 0.05, seenAt: 12_000 };
		expect(expectedEndOf({ ...task, rememberedRunMs: undefined, progress: tooEarly })).toBe(
			undefined,
		);
		expect(expectedEndOf({ ...task, progress: { fraction: 1, seenAt: 30_000 } })).toBe(70_000);
		expect(expectedEndOf({ ...task, status: 'PENDING' })).toBeUndefined();
		expect(expectedEndOf(running({ rememberedRunMs: 60_000 }))).toBeUndefined();
	});

	test('before the end a third of the time left, the budget gap near it, and the end itself', () => {
		const task = running({ startedAt: 0, rememberedRunMs: 180_000 });
		expect(nextCheckAt(task, ALONE, 0)).toBe(20_000); // a third of 180 s, cut to the interval
		expect(nextCheckAt(task, ALONE, 150_000)).toBe(160_000);
		expect(nextCheckAt(task, ALONE, 177_000)).toBe(178_000);
		expect(nextCheckAt(task, ALONE, 179_500)).toBe(180_000);
		// … unless that would undercut the budget's share.
		const crowd = { runningTasks: 20, perSecond: 10 };
		expect(nextCheckAt(task, crowd, 179_500)).toBe(181_500);
		expect(nextCheckAt(task, ALONE, 178_800)).toBe(179_800);
	});

	test('past the end: a quarter of how late it is, at least the budget gap, up to the interval', () => {
		const task = running({ startedAt: 0, rememberedRunMs: 180_000 });
		expect(nextCheckAt(task, ALONE, 180_000)).toBe(181_000);
		expect(nextCheckAt(task, ALONE, 188_000)).toBe(190_000);
		expect(nextCheckAt(task, ALONE, 220_000)).toBe(230_000);
		expect(nextCheckAt(task, ALONE, 300_000)).toBe(320_000);
	});
});

describe('rule 4: nothing expected', () => {
	test('a twentieth of how long it has run, from a second up to 2 s', () => {
		const task = running({ pendingSeenAt: 0 });
		expect(nextCheckAt(task, ALONE, 1_000)).toBe(2_000);
		expect(nextCheckAt(task, ALONE, 30_000)).toBe(31_500);
		expect(nextCheckAt(task, ALONE, 170_000)).toBe(172_000);
		// A task whose start was never seen (Get Task of a running task): from its first look.
		expect(nextCheckAt(running(), ALONE, 50_000)).toBe(51_000);
	});
});

describe('rule 5: waiting to start', () => {
	test('1, 3, 9 s after a change of status, then the interval', () => {
		expect([0, 1, 2].map((checks) => backoffGap(checks, 4, INTERVAL))).toEqual([
			1_000, 3_000, 9_000,
		]);
		// Item 4 is the fifth of five places: its first gap at the interval is the whole interval.
		expect(backoffGap(3, 4, INTERVAL)).toBe(20_000);
		expect(backoffGap(4, 4, INTERVAL)).toBe(20_000);
		expect(backoffGap(30, 4, INTERVAL)).toBe(20_000);
		const pending = running({ status: 'PENDING', checksSinceChange: 2 });
		expect(nextCheckAt(pending, ALONE, 100_000)).toBe(109_000);
	});

	test('the first gap at the interval is a fifth of it per place, items 0 to 4, then 5 to 9', () => {
		expect([0, 1, 2, 3, 4, 5, 9].map((item) => backoffGap(3, item, INTERVAL))).toEqual([
			4_000, 8_000, 12_000, 16_000, 20_000, 4_000, 20_000,
		]);
		expect(backoffGap(4, 0, INTERVAL)).toBe(20_000);
	});

	test('an interval shorter than the first second: the spread starts at once', () => {
		expect(backoffGap(0, 0, 10)).toBe(2);
		expect(backoffGap(1, 0, 10)).toBe(10);
	});

	test('when a task ends: the PENDING ones that start next and those due by now at once', () => {
		const now = 181_000;
		const pending = running({ status: 'PENDING', pendingSeenAt: 100_000 });
		expect(nextCheckAfterAnEnd(pending, 190_000, now, true)).toBe(now);
		// A PENDING task behind others in the account's queue cannot have started yet.
		expect(nextCheckAfterAnEnd(pending, 190_000, now, false)).toBe(190_000);
		const due = running({ pendingSeenAt: 500, rememberedRunMs: 180_000 });
		expect(nextCheckAfterAnEnd(due, 190_000, now, false)).toBe(now);
		const soon = running({ pendingSeenAt: 3_000, rememberedRunMs: 180_000 });
		expect(nextCheckAfterAnEnd(soon, 190_000, now, false)).toBe(183_000);
		// Never later than it already was.
		expect(nextCheckAfterAnEnd(soon, 182_000, now, false)).toBe(182_000);
		const nothingExpected = running({ pendingSeenAt: 3_000 });
		expect(nextCheckAfterAnEnd(nothingExpected, 190_000, now, false)).toBe(190_000);
	});

	test('the PENDING tasks that take the freed slots: the oldest, one per task that ended', () => {
		const batch = [7, 2, 9, 4, 5].map((itemIndex) =>
			running({ itemIndex, status: itemIndex === 4 ? 'RUNNING' : 'PENDING' }),
		);
		expect(pendingThatStartNext(batch, 2)).toEqual(new Set([2, 5]));
		expect(pendingThatStartNext(batch, 9)).toEqual(new Set([2, 5, 7, 9]));
		expect(pendingThatStartNext(batch, 0)).toEqual(new Set());
	});
});

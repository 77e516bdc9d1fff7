import type { TaskOnSchedule } from '../nodes/HappyHorse/pipeline/pollSchedule';
import {
	backoffGap,
	learnedRunTime,
	nextCheckAfterAnEnd,
	nextCheckAt,
	pendingThatStartNext,
} from '../nodes/HappyHorse/pipeline/pollSchedule';

/** The poll schedule's rules (pipeline/pollSchedule.ts) as exact times for given histories. */

const INTERVAL = 20_000;

function running(overrides: Partial<TaskOnSchedule> = {}): TaskOnSchedule {
	return {
		itemIndex: 0,
		status: 'RUNNING',
		checksSinceChange: 0,
		pollIntervalMs: INTERVAL,
		...overrides,
	};
}

describe('rule 1 and 2: back off, then spread the batch over the interval', () => {
	test('1, 3, 9 s after a change of status, then the interval', () => {
		expect([0, 1, 2].map((checks) => backoffGap(checks, 4, INTERVAL))).toEqual([
			1_000, 3_000, 9_000,
		]);
		// Item 4 is the fifth of five places: its first gap at the interval is the whole interval.
		expect(backoffGap(3, 4, INTERVAL)).toBe(20_000);
		expect(backoffGap(4, 4, INTERVAL)).toBe(20_000);
		expect(backoffGap(30, 4, INTERVAL)).toBe(20_000);
	});

	test('the first gap at the interval is a fifth of it per place, items 0 to 4, then 5 to 9', () => {
		expect([0, 1, 2, 3, 4, 5, 9].map((item) => backoffGap(3, item, INTERVAL))).toEqual([
			4_000, 8_000, 12_000, 16_000, 20_000, 4_000, 20_000,
		]);
		// Only that one gap: the next ones are the interval for every item.
		expect(backoffGap(4, 0, INTERVAL)).toBe(20_000);
	});

	test('five tasks that start together are looked at in turn, one every 4 s', () => {
		const looksOf = (itemIndex: number) => {
			const looks = [0];
			for (let checks = 0; looks.length < 6; checks++) {
				looks.push(looks[looks.length - 1] + backoffGap(checks, itemIndex, INTERVAL));
			}
			return looks.slice(4);
		};
		// 1, 4, 13 s for all; then 17, 21, 25, 29, 33 s and every 20 s from there.
		expect([0, 1, 2, 3, 4].map(looksOf)).toEqual([
			[17_000, 37_000],
			[21_000, 41_000],
			[25_000, 45_000],
			[29_000, 49_000],
			[33_000, 53_000],
		]);
	});

	test('an interval shorter than the first second: the spread starts at once', () => {
		expect(backoffGap(0, 0, 10)).toBe(2);
		expect(backoffGap(1, 0, 10)).toBe(10);
	});

	test('nothing learned yet: the next look is the back-off', () => {
		expect(nextCheckAt(running({ checksSinceChange: 2 }), undefined, 100_000)).toBe(109_000);
		expect(nextCheckAt(running({ pendingSeenAt: 50_000 }), undefined, 100_000)).toBe(101_000);
	});
});

describe('rule 3: what the batch taught', () => {
	const learned = 180_000;

	test('a running task is looked at no later than its expected end', () => {
		// Last seen PENDING at 10 s: expected to end at 190 s.
		const task = running({ pendingSeenAt: 10_000, checksSinceChange: 9 });
		expect(nextCheckAt(task, learned, 100_000)).toBe(120_000);
		expect(nextCheckAt(task, learned, 175_000)).toBe(190_000);
		expect(nextCheckAt(task, learned, 189_000)).toBe(190_000);
	});

	test('past its expected end: every 2 s, then as long as it is already late, up to the interval', () => {
		const task = running({ pendingSeenAt: 10_000, checksSinceChange: 9 });
		expect(nextCheckAt(task, learned, 190_000)).toBe(192_000);
		expect(nextCheckAt(task, learned, 192_000)).toBe(194_000);
		expect(nextCheckAt(task, learned, 194_000)).toBe(198_000);
		expect(nextCheckAt(task, learned, 198_000)).toBe(206_000);
		expect(nextCheckAt(task, learned, 206_000)).toBe(222_000);
		expect(nextCheckAt(task, learned, 222_000)).toBe(242_000);
	});

	test('a task never seen PENDING (Get Task of a running task) has no expected end', () => {
		expect(nextCheckAt(running({ checksSinceChange: 9 }), learned, 100_000)).toBe(120_000);
	});

	test('a PENDING task is not held to the expected end', () => {
		const pending = running({ status: 'PENDING', pendingSeenAt: 10_000, checksSinceChange: 1 });
		expect(nextCheckAt(pending, learned, 195_000)).toBe(198_000);
	});

	test('when a task ends: the PENDING ones that start next and those due by now at once, the others at their expected end', () => {
		const now = 181_000;
		const pending = running({ status: 'PENDING', pendingSeenAt: 100_000 });
		expect(nextCheckAfterAnEnd(pending, learned, 190_000, now, true)).toBe(now);
		// A PENDING task behind others in the account's queue cannot have started yet.
		expect(nextCheckAfterAnEnd(pending, learned, 190_000, now, false)).toBe(190_000);
		const due = running({ pendingSeenAt: 500 });
		expect(nextCheckAfterAnEnd(due, learned, 190_000, now, false)).toBe(now);
		const soon = running({ pendingSeenAt: 3_000 });
		expect(nextCheckAfterAnEnd(soon, learned, 190_000, now, false)).toBe(183_000);
		// Never later than it already was.
		expect(nextCheckAfterAnEnd(soon, learned, 182_000, now, false)).toBe(182_000);
		const unknownStart = running();
		expect(nextCheckAfterAnEnd(unknownStart, learned, 190_000, now, false)).toBe(190_000);
	});

	test('the PENDING tasks that take the freed slots: the oldest, one per task that ended', () => {
		const batch = [7, 2, 9, 4, 5].map((itemIndex) =>
			running({ itemIndex, status: itemIndex === 4 ? 'RUNNING' : 'PENDING' }),
		);
		expect(pendingThatStartNext(batch, 2)).toEqual(new Set([2, 5]));
		expect(pendingThatStartNext(batch, 9)).toEqual(new Set([2, 5, 7, 9]));
		expect(pendingThatStartNext(batch, 0)).toEqual(new Set());
	});

	test("the shortest run of the batch's succeeded tasks, from the API's own times", () => {
		expect(learnedRunTime([undefined])).toBeUndefined();
		expect(
			learnedRunTime([
				{ taskId: 'a', status: 'RUNNING', startedAt: '2026-01-01T00:00:00.000Z' },
				{
					taskId: 'b',
					status: 'SUCCEEDED',
					startedAt: '2026-01-01T00:00:00.000Z',
					finishedAt: '2026-01-01T00:03:01.500Z',
				},
				{
					taskId: 'c',
					status: 'SUCCEEDED',
					startedAt: '2026-01-01T00:00:02.000Z',
					finishedAt: '2026-01-01T00:03:00.000Z',
				},
				// A failure is no guide (refused early), nor is a success without times.
				{
					taskId: 'd',
					status: 'FAILED',
					startedAt: '2026-01-01T00:00:00.000Z',
					finishedAt: '2026-01-01T00:00:05.000Z',
				},
				{ taskId: 'e', status: 'SUCCEEDED' },
			]),
		).toBe(178_000);
	});
});

import {
	RUN_TIME_STALE_MS,
	RunTimeMemory,
	inputSecondsOf,
	runKindOf,
	runOf,
} from '../nodes/HappyHorse/pipeline/runTimeMemory';

/** The run times a process remembers (pipeline/runTimeMemory.ts), rule by rule. */

const BASE = 'https://dashscope.aliyuncs.com/api/v1';

const t2v = runKindOf(BASE, {
	model: 'happyhorse-1.0-t2v',
	input: { prompt: 'a fox' },
	parameters: { resolution: '720p', duration: 5 },
});

describe('what a run is', () => {
	test("a success's own start and end times; a failure or a success without times is none", () => {
		const times = { startedAt: '2026-01-01T00:00:02.000Z', finishedAt: '2026-01-01T00:03:00.000Z' };
		expect(runOf({ taskId: 'a', status: 'SUCCEEDED', ...times })).toBe(178_000);
		expect(runOf({ taskId: 'a', status: 'FAILED', ...times })).toBeUndefined();
		expect(runOf({ taskId: 'a', status: 'SUCCEEDED' })).toBeUndefined();
		expect(runOf(undefined)).toBeUndefined();
		const backwards = { startedAt: times.finishedAt, finishedAt: times.startedAt };
		expect(runOf({ taskId: 'a', status: 'SUCCEEDED', ...backwards })).toBeUndefined();
	});

	test("a video edit's input length comes from its answer's usage", () => {
		const usage = { input_video_duration: 6.62 };
		expect(inputSecondsOf({ taskId: 'a', status: 'SUCCEEDED', usage })).toBe(6.62);
		expect(inputSecondsOf({ taskId: 'a', status: 'SUCCEEDED', usage: {} })).toBeUndefined();
	});

	test('the kind: endpoint, model, resolution in upper case, and duration', () => {
		expect(t2v).toEqual({
			baseUrl: BASE,
			model: 'happyhorse-1.0-t2v',
			resolution: '720P',
			duration: 5,
		});
		const unset = runKindOf(BASE, { model: 'm', input: {}, parameters: {} });
		expect(unset).toEqual({
			baseUrl: BASE,
			model: 'm',
			resolution: undefined,
			duration: undefined,
		});
	});
});

describe('the memory', () => {
	test('the shortest recent run of the same kind; other kinds, endpoints and resolutions apart', () => {
		const memory = new RunTimeMemory();
		expect(memory.expectedRun(t2v, 0)).toBeUndefined();
		memory.remember(t2v, 62_000, 0);
		memory.remember(t2v, 58_000, 1_000);
		memory.remember(t2v, 70_000, 2_000);
		expect(memory.expectedRun(t2v, 3_000)).toBe(58_000);
		expect(memory.expectedRun({ ...t2v, duration: 10 }, 3_000)).toBeUndefined();
		expect(memory.expectedRun({ ...t2v, resolution: '1080P' }, 3_000)).toBeUndefined();
		expect(memory.expectedRun({ ...t2v, baseUrl: 'https://other/api/v1' }, 3_000)).toBeUndefined();
	});

	test('a video edit is known by its input length, and without it by all its lengths', () => {
		const memory = new RunTimeMemory();
		const edit = { baseUrl: BASE, model: 'happyhorse-1.0-video-edit', resolution: '1080P' };
		memory.remember({ ...edit, inputSeconds: 6.6 }, 90_000, 0);
		memory.remember({ ...edit, inputSeconds: 42 }, 240_000, 0);
		// 6.6 s and 9 s are both in the 5–10 s step.
		expect(memory.expectedRun({ ...edit, inputSeconds: 9 }, 0)).toBe(90_000);
		expect(memory.expectedRun({ ...edit, inputSeconds: 44 }, 0)).toBe(240_000);
		expect(memory.expectedRun({ ...edit, inputSeconds: 20 }, 0)).toBeUndefined();
		expect(memory.expectedRun(edit, 0)).toBe(90_000);
	});

	test('the last 8 runs of a kind count, and none older than an hour', () => {
		const memory = new RunTimeMemory();
		memory.remember(t2v, 10_000, 0);
		for (let i = 1; i <= 8; i++) memory.remember(t2v, 60_000 + i, i);
		// The 10 s run was the ninth from the end: forgotten.
		expect(memory.expectedRun(t2v, 10)).toBe(60_001);
		expect(memory.expectedRun(t2v, RUN_TIME_STALE_MS + 4)).toBe(60_005);
		expect(memory.expectedRun(t2v, RUN_TIME_STALE_MS + 8)).toBeUndefined();
		// A kind whose runs are all stale is dropped when it is looked up.
		expect(memory.size).toBe(0);
	});

	test('at most 256 kinds: the least recently taught are forgotten', () => {
		const memory = new RunTimeMemory();
		for (let duration = 1; duration <= 300; duration++) {
			memory.remember({ ...t2v, duration }, 1_000 * duration, 0);
		}
		expect(memory.size).toBe(256);
		expect(memory.expectedRun({ ...t2v, duration: 44 }, 0)).toBeUndefined();
		expect(memory.expectedRun({ ...t2v, duration: 45 }, 0)).toBe(45_000);
		expect(memory.expectedRun({ ...t2v, duration: 300 }, 0)).toBe(300_000);
	});
});

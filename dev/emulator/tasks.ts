/**
 * The tasks of both accounts (what a submit must hold is in submitRules.ts): how each moves through
 * its statuses, either one scripted step per query or, for a time-based task, with the clock,
 * queued behind the account's running tasks.
 */
import { createHash, randomUUID } from 'node:crypto';

import { kindOfModel } from './submitRules';
import { videoSeconds } from './videoSeconds';
import type { EmulatedTask, EmulatorLimits, Family, Phase, TaskScript, TaskTimes } from './types';

const DEFAULT_STATUSES: Record<Family, string[]> = {
	native: ['PENDING', 'RUNNING', 'SUCCEEDED'],
	anyfast: ['QUEUED', 'IN_PROGRESS', 'SUCCESS'],
};
/** What a time-based task reports in each phase, in each family's vocabulary. */
const TIMED_STATUSES: Record<
	Family,
	Record<'waiting' | 'running' | 'succeeded' | 'failed', string>
> = {
	native: { waiting: 'PENDING', running: 'RUNNING', succeeded: 'SUCCEEDED', failed: 'FAILED' },
	anyfast: { waiting: 'QUEUED', running: 'IN_PROGRESS', succeeded: 'SUCCESS', failed: 'FAILURE' },
};
const DEFAULT_MAX_RUNNING_TASKS = 5;
export const DEFAULT_FAILURE = { code: 'InvalidParameter', message: 'The resolution is not valid' };
/**
 * The sample answer's usage (docs/API.md, Query): what a video edit reports when the emulator
 * cannot see its input video (a URL on another host).
 */
const SAMPLE_EDIT_USAGE = {
	duration: 13.24,
	input_video_duration: 6.62,
	output_video_duration: 6.62,
	video_count: 1,
	SR: 720,
};
/** Video edit's output is at most the first 15 s of the input (docs/API.md, Submit). */
const EDIT_OUTPUT_MAX_SECONDS = 15;
const RESULT_BYTES_LENGTH = 64 * 1024;

const ANYFAST_TO_NATIVE_STATUS: Record<string, string> = {
	NOT_START: 'PENDING',
	SUBMITTED: 'PENDING',
	QUEUED: 'PENDING',
	IN_PROGRESS: 'RUNNING',
	SUCCESS: 'SUCCEEDED',
	FAILURE: 'FAILED',
	UNKNOWN: 'UNKNOWN',
};

const NATIVE_STATUS_PHASE: Record<string, Phase> = {
	PENDING: 'waiting',
	RUNNING: 'running',
	SUSPENDED: 'running',
	SUCCEEDED: 'succeeded',
	FAILED: 'failed',
	CANCELED: 'canceled',
	UNKNOWN: 'unknown',
};

export function toNativeStatus(status: string, family: Family): string {
	return family === 'anyfast' ? (ANYFAST_TO_NATIVE_STATUS[status] ?? status) : status;
}

export function phaseOf(status: string, family: Family): Phase {
	// A scripted status outside the known vocabulary is treated as work in progress.
	return NATIVE_STATUS_PHASE[toNativeStatus(status, family)] ?? 'running';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A minimal ISO-BMFF `ftyp` box, so the default result at least starts like an MP4: the node
 * takes a result as a video only when it starts like one.
 */
export function ftypBox(): Buffer {
	const brands = ['isom', 'iso2', 'avc1', 'mp41'];
	const size = 16 + brands.length * 4;
	const box = Buffer.alloc(size);
	box.writeUInt32BE(size, 0);
	box.write('ftyp', 4, 'latin1');
	box.write('isom', 8, 'latin1');
	box.writeUInt32BE(0x200, 12);
	brands.forEach((brand, index) => box.write(brand, 16 + index * 4, 'latin1'));
	return box;
}

function defaultResultBytes(taskId: string): Buffer {
	const header = ftypBox();
	const digest = createHash('sha256').update(taskId).digest();
	const bytes = Buffer.alloc(RESULT_BYTES_LENGTH);
	header.copy(bytes, 0);
	for (let offset = header.length; offset < bytes.length; offset += digest.length) {
		digest.copy(bytes, offset);
	}
	return bytes;
}

/** The URL of a video edit's input video, in either family's body (both use `input.media`). */
function editVideoUrl(body: Record<string, unknown>): string | undefined {
	const media = isRecord(body.input) && Array.isArray(body.input.media) ? body.input.media : [];
	const video = media.find((item) => isRecord(item) && item.type === 'video') as
		{ url?: unknown } | undefined;
	return typeof video?.url === 'string' ? video.url : undefined;
}

/**
 * What a successful task reports as `usage` (docs/API.md, "Prices and billing"), at the resolution asked for
 * (default 1080P). Video edit bills its input and output seconds: the input's own length when the
 * emulator holds the file (an upload, a sample it serves), the output's from the result it serves
 * (else the input's, up to 15 s); a video elsewhere gets the sample answer's figures. The other
 * kinds bill their output, the requested duration (default 5 s).
 */
function successUsage(
	body: Record<string, unknown>,
	script: TaskScript,
	mediaBytes: (url: string) => Buffer | undefined,
): Record<string, number> {
	const parameters = isRecord(body.parameters) ? body.parameters : {};
	const SR = { '480P': 480, '720P': 720 }[String(parameters.resolution)] ?? 1080;
	if (kindOfModel(String(body.model)) === 'videoEdit') {
		const url = editVideoUrl(body);
		const input = videoSeconds(url === undefined ? undefined : mediaBytes(url));
		if (input === undefined) return { ...SAMPLE_EDIT_USAGE };
		const output = videoSeconds(script.videoBytes) ?? Math.min(input, EDIT_OUTPUT_MAX_SECONDS);
		return {
			duration: Math.round((input + output) * 100) / 100,
			input_video_duration: input,
			output_video_duration: output,
			video_count: 1,
			SR,
		};
	}
	const duration = typeof parameters.duration === 'number' ? parameters.duration : 5;
	return { duration, output_video_duration: duration, video_count: 1, SR };
}

export function defaultLimits(): EmulatorLimits {
	return { maxRunningTasks: DEFAULT_MAX_RUNNING_TASKS };
}

/** The time-based tasks of one family's account, for the lazy event simulation in settle(). */
interface AccountQueue {
	/** Not started and not canceled, in submit order (the account runs them FIFO). */
	waiting: EmulatedTask[];
	/** Started tasks that may still hold a slot at or after lastStart. */
	started: EmulatedTask[];
	/** Start time of the most recently started task; later starts can never be earlier. */
	lastStart: number;
}

/** The tasks of both families' accounts, by id. */
export class TaskBoard {
	/** The task ids created so far, in creation order. */
	readonly createdIds: string[] = [];

	private readonly tasks = new Map<string, EmulatedTask>();
	private readonly queues: Record<Family, AccountQueue> = {
		native: { waiting: [], started: [], lastStart: 0 },
		anyfast: { waiting: [], started: [], lastStart: 0 },
	};

	/** Reads the emulator's limits and task script as they are at each use. */
	constructor(
		private readonly emulator: {
			readonly limits: EmulatorLimits;
			readonly taskScript: (submitBody: any, family: Family) => TaskScript;
			/** The bytes behind a media URL, when the emulator holds them (uploads, samples). */
			mediaBytes(url: string): Buffer | undefined;
		},
	) {}

	create(family: Family, body: Record<string, unknown>, id: string): EmulatedTask {
		const script = this.emulator.taskScript(body, family) ?? {};
		const statuses =
			script.statuses && script.statuses.length > 0 ? script.statuses : DEFAULT_STATUSES[family];
		// The native body holds the prompt in `input`, Anyfast's flat body at the top.
		const prompt = isRecord(body.input) ? body.input.prompt : body.prompt;
		const timed = script.durationMs !== undefined;
		const task: EmulatedTask = {
			id,
			family,
			model: body.model as string,
			prompt: typeof prompt === 'string' ? prompt : '',
			usage: successUsage(body, script, (url) => this.emulator.mediaBytes(url)),
			script,
			statuses,
			queryCount: 0,
			currentStatus:
				family === 'native' ? 'PENDING' : timed ? TIMED_STATUSES.anyfast.waiting : statuses[0],
			canceled: false,
			submittedAt: Date.now(),
			upstreamTaskId: randomUUID(),
		};
		if (timed) {
			task.durationMs = Math.max(0, script.durationMs ?? 0);
			this.queues[family].waiting.push(task);
		}
		this.tasks.set(id, task);
		this.createdIds.push(id);
		return task;
	}

	has(taskId: string): boolean {
		return this.tasks.has(taskId);
	}

	/** The task with this id, if that family's account created it. */
	find(taskId: string, family: Family): EmulatedTask | undefined {
		const task = this.tasks.get(taskId);
		return task && task.family === family ? task : undefined;
	}

	/** Every task, in creation order. */
	all(): EmulatedTask[] {
		return [...this.tasks.values()];
	}

	/** When the task was submitted, started running and reached its end (epoch ms, as of now). */
	times(taskId: string): TaskTimes {
		this.settle(Date.now());
		const task = this.tasks.get(taskId);
		if (!task) throw new Error(`HappyHorseEmulator: no task ${taskId}`);
		const times: TaskTimes = { submittedAt: task.submittedAt };
		if (task.startedAt !== undefined) times.startedAt = task.startedAt;
		if (task.finishedAt !== undefined) times.finishedAt = task.finishedAt;
		return times;
	}

	resultBytes(taskId: string): Buffer {
		return this.tasks.get(taskId)?.script.videoBytes ?? defaultResultBytes(taskId);
	}

	/** Cancels a task that has not started. */
	cancel(task: EmulatedTask): void {
		task.canceled = true;
		task.currentStatus = 'CANCELED';
		// A canceled time-based task gives up its place in the queue and never runs.
		const queue = this.queues[task.family];
		queue.waiting = queue.waiting.filter((waiting) => waiting !== task);
	}

	reset(): void {
		this.createdIds.length = 0;
		this.tasks.clear();
		for (const family of ['native', 'anyfast'] as const) {
			this.queues[family] = { waiting: [], started: [], lastStart: 0 };
		}
	}

	/**
	 * Brings every time-based task up to `now`. Instead of timers, this replays what the account
	 * would have done: the oldest waiting task starts at the first instant, no earlier than its
	 * submit or the previous start, when fewer than maxRunningTasks started tasks are still
	 * running, so start times are exact however rarely anyone looks. Starts are committed only
	 * once they are in the past, so a cancel or a new limit still applies to what has not begun.
	 */
	settle(now: number): void {
		const configured = this.emulator.limits.maxRunningTasks ?? DEFAULT_MAX_RUNNING_TASKS;
		for (const family of ['native', 'anyfast'] as const) {
			const queue = this.queues[family];
			while (queue.waiting.length > 0 && configured >= 1) {
				const next = queue.waiting[0];
				let at = Math.max(next.submittedAt, queue.lastStart);
				for (;;) {
					const busyUntil = queue.started
						.map((task) => task.endsAt ?? 0)
						.filter((endsAt) => endsAt > at);
					if (busyUntil.length < configured) break;
					// Full at `at`: the earliest end frees the next slot.
					at = Math.min(...busyUntil);
				}
				if (at > now) break;
				queue.waiting.shift();
				next.startedAt = at;
				next.endsAt = at + (next.durationMs ?? 0);
				queue.lastStart = at;
				queue.started.push(next);
			}
			// A task that ended by lastStart can hold no slot at any future start.
			for (const task of queue.started) this.refreshTimed(task, now);
			queue.started = queue.started.filter((task) => (task.endsAt ?? 0) > queue.lastStart);
		}
	}

	/** Sets currentStatus and finishedAt of a started time-based task from the clock. */
	private refreshTimed(task: EmulatedTask, now: number): void {
		const vocabulary = TIMED_STATUSES[task.family];
		const endsAt = task.endsAt ?? now;
		if (now < endsAt) {
			task.currentStatus = vocabulary.running;
			return;
		}
		task.finishedAt = endsAt;
		task.currentStatus = task.script.failure ? vocabulary.failed : vocabulary.succeeded;
	}

	/** Moves the task one query forward and returns the status that query sees. */
	advance(task: EmulatedTask): string {
		if (task.durationMs !== undefined) {
			// The clock, not the number of queries, decides; settle() has already set the status.
			this.settle(Date.now());
			task.queryCount++;
			return task.currentStatus;
		}
		if (task.canceled) {
			task.currentStatus = 'CANCELED';
		} else {
			const index = Math.min(task.queryCount, task.statuses.length - 1);
			task.currentStatus = task.statuses[index];
			task.queryCount++;
		}
		const phase = phaseOf(task.currentStatus, task.family);
		const now = Date.now();
		const hasStarted = phase === 'running' || phase === 'succeeded' || phase === 'failed';
		if (hasStarted && task.startedAt === undefined) task.startedAt = now;
		if ((phase === 'succeeded' || phase === 'failed') && task.finishedAt === undefined) {
			task.finishedAt = now;
		}
		return task.currentStatus;
	}
}

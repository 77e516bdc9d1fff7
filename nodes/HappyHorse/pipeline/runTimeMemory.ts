import { createHash } from 'crypto';

import type { TaskSnapshot } from '../schemas/task';
import type { TaskRequest } from '../schemas/taskRequest';

/**
 * How long tasks took, remembered in this process (docs/WAITING.md, "Expected run times"), so a
 * lone task or a new batch is expected to end when the last ones of its kind did, not only once
 * a task of its own batch has succeeded. Kept in module scope for the same reason as the rate
 * limiters (transport/rateLimiter.ts): n8n runs every execution of a process in one copy of the
 * node, so what one execution saw serves the next.
 */

/** What decides how long a task runs: the endpoint, model, resolution, and duration or input. */
export interface RunKind {
	baseUrl: string;
	model: string;
	resolution?: string;
	/** The requested output seconds (text, first frame and references to video). */
	duration?: number;
	/** A video edit's input seconds, when known (from the answer's `usage`). */
	inputSeconds?: number;
}

/** Runs kept per kind: enough to follow a change in the service, few enough to forget one. */
const RUNS_PER_KIND = 8;

/** Older runs say little about the service's load now (docs/WAITING.md). */
export const RUN_TIME_STALE_MS = 60 * 60 * 1000;

/** Kinds remembered at most; the least recently used are forgotten first. */
const MAX_KINDS = 256;

/** A video edit's input lengths are grouped by this many seconds: 3–60 s in twelve steps. */
const INPUT_SECONDS_STEP = 5;

interface Run {
	ms: number;
	/** When it was learned (epoch ms). */
	at: number;
}

/** The kind of a task to be submitted; an edit's input length is not known before its answer. */
export function runKindOf(baseUrl: string, request: TaskRequest): RunKind {
	const { resolution, duration } = request.parameters;
	return {
		baseUrl,
		model: request.model,
		resolution: typeof resolution === 'string' ? resolution.toUpperCase() : undefined,
		duration: typeof duration === 'number' ? duration : undefined,
	};
}

/** A key that names the kind; the endpoint is hashed so no URL is kept as text. */
function keyOf(kind: RunKind, withInput: boolean): string {
	const endpoint = createHash('sha256').update(kind.baseUrl).digest('hex').slice(0, 16);
	const input =
		withInput && kind.inputSeconds !== undefined
			? Math.ceil(kind.inputSeconds / INPUT_SECONDS_STEP) * INPUT_SECONDS_STEP
			: '*';
	return [endpoint, kind.model, kind.resolution ?? '-', kind.duration ?? '-', input].join('|');
}

/**
 * A task's run from the API's own start and end times (a difference of two server times, so
 * clock skew plays no part); a failed task is no guide: it may have been refused early.
 */
export function runOf(snapshot: TaskSnapshot | undefined): number | undefined {
	if (snapshot?.status !== 'SUCCEEDED' || !snapshot.startedAt || !snapshot.finishedAt) {
		return undefined;
	}
	const run = Date.parse(snapshot.finishedAt) - Date.parse(snapshot.startedAt);
	return Number.isFinite(run) && run >= 0 ? run : undefined;
}

/** The input seconds a video edit's answer reports in `usage`, if any. */
export function inputSecondsOf(snapshot: TaskSnapshot | undefined): number | undefined {
	const seconds = Number(snapshot?.usage?.input_video_duration);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export class RunTimeMemory {
	private readonly runs = new Map<string, Run[]>();

	/**
	 * Remembers a run, under its exact kind and under the kind without the input length (what a
	 * lookup knows before an edit's answer).
	 */
	remember(kind: RunKind, ms: number, now = Date.now()): void {
		const keys = new Set([keyOf(kind, true), keyOf(kind, false)]);
		for (const key of keys) {
			const runs = (this.runs.get(key) ?? []).filter((run) => now - run.at < RUN_TIME_STALE_MS);
			runs.push({ ms, at: now });
			this.runs.delete(key);
			this.runs.set(key, runs.slice(-RUNS_PER_KIND));
		}
		while (this.runs.size > MAX_KINDS) this.runs.delete(this.runs.keys().next().value!);
	}

	/**
	 * The shortest recent run of this kind: the earliest a task of it is expected to end, so the
	 * densest looks start no later than its end (runs vary; looking early costs only queries).
	 */
	expectedRun(kind: RunKind, now = Date.now()): number | undefined {
		const key = keyOf(kind, true);
		const runs = this.runs.get(key)?.filter((run) => now - run.at < RUN_TIME_STALE_MS);
		if (!runs || runs.length === 0) {
			this.runs.delete(key);
			return undefined;
		}
		return Math.min(...runs.map((run) => run.ms));
	}

	/** How many kinds are held, for tests. */
	get size(): number {
		return this.runs.size;
	}

	clear(): void {
		this.runs.clear();
	}
}

/** This process's memory, shared by every execution in it. */
export const processRunTimes = new RunTimeMemory();

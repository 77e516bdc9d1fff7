// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../dev/harness/runNode';
import { benchEstimates } from './estimates';
import { benchN8nMemory } from './n8nMemory';
import type { BatchCost } from './polling';
import {
	benchConcurrentExecutions,
	benchLongTasks,
	credentials,
	detectionLags,
	editParameters,
	median,
	queriesPerTask,
	withEmulator,
} from './polling';

/**
 * `npm run bench`: figures measured in one run against the local emulator, printed as ratios
 * against their goals. Nothing here is asserted; tests never time anything.
 */

interface Figure {
	name: string;
	value: string;
	goal: string;
	met: boolean;
}

const figures: Figure[] = [];
const log = (line: string) => process.stdout.write(`${line}\n`);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const TASK_MS = 6_000;
/** Poll intervals the 3-minute batch is also run with, beside the default. */
const FRONTIER_POLL_INTERVALS = [10, 20, 25];
// (The default, 30 s, is the first long-task batch.)

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function frontierLine(cost: BatchCost): string {
	return `${mean(cost.queries).toFixed(1)} (${cost.queries.join(', ')}) · ${seconds(median(cost.lags))}`;
}
const ITEMS = 20;

/** Create Text-to-Video Task parameters: one prompt per item, waiting and downloading. */
function textToVideoParameters(): INodeParameters {
	return {
		operation: 'createTextToVideoTask',
		prompt: '={{ "A red fox in the snow, take " + $json.take }}',
		waitForCompletion: true,
		downloadVideo: true,
		options: { duration: 5 },
	};
}

/** 20 items of 6 s tasks under the account's limits: 5 running at once, 5 submits per second. */
async function benchWaves(
	parameters: INodeParameters = editParameters(),
): Promise<{ wallMs: number; lags: number[]; queries: number[] }> {
	return await withEmulator(async (emulator) => {
		emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
		emulator.taskScript = () => ({ durationMs: TASK_MS });
		const started = Date.now();
		const { items, error } = await runNode({
			credentials: credentials(emulator),
			items: Array.from({ length: ITEMS }, (_, take) => ({ json: { take } })),
			parameters,
		});
		const wallMs = Date.now() - started;
		if (error || items.some((item) => item.json.status !== 'SUCCEEDED')) {
			throw new Error(`waves bench failed: ${error?.message}`);
		}
		if (emulator.throttled.submit + emulator.throttled.query > 0) {
			log(`  (the emulator throttled ${JSON.stringify(emulator.throttled)})`);
		}
		return { wallMs, lags: detectionLags(emulator), queries: queriesPerTask(emulator) };
	});
}

/** The same 20 items the way other nodes wait: one item after another. */
async function benchOneAtATime(): Promise<number> {
	return await withEmulator(async (emulator) => {
		emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
		emulator.taskScript = () => ({ durationMs: TASK_MS });
		const started = Date.now();
		for (let index = 0; index < ITEMS; index++) {
			const { error } = await runNode({
				credentials: credentials(emulator),
				parameters: editParameters(),
			});
			if (error) throw new Error(`one-at-a-time bench failed: ${error.message}`);
		}
		return Date.now() - started;
	});
}

/** 1000 submits without waiting, through n8n's engine, against a bare fetch loop. */
async function benchThroughput(): Promise<{ nodeMs: number; fetchMs: number }> {
	return await withEmulator(async (emulator) => {
		const count = 1000;
		// The account's 5 per second would make both sides wait alike: lift it to measure the node.
		const started = Date.now();
		const { items, error } = await runNode({
			credentials: credentials(emulator, { submitsPerSecond: 1_000_000 }),
			items: Array.from({ length: count }, (_, i) => ({ json: { i } })),
			parameters: { ...editParameters(), waitForCompletion: false },
		});
		const nodeMs = Date.now() - started;
		if (error || items.length !== count)
			throw new Error(`throughput bench failed: ${error?.message}`);

		const body = emulator.requestsOf('submit')[0].body;
		const fetchStarted = Date.now();
		for (let i = 0; i < count; i++) {
			const response = await fetch(
				`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
				{
					method: 'POST',
					headers: {
						Authorization: `Bearer ${emulator.apiKey}`,
						'X-DashScope-Async': 'enable',
						'Content-Type': 'application/json',
						Accept: 'application/json',
					},
					body,
				},
			);
			await response.json();
		}
		return { nodeMs, fetchMs: Date.now() - fetchStarted };
	});
}

interface MemoryFigure {
	mode: string;
	growth: number;
	fileBytes: number;
}

/** Each binary mode in a fresh process (bench/memory.ts), so one run cannot warm the other. */
function benchMemory(mode: 'default' | 'filesystem'): MemoryFigure {
	const output = execFileSync(
		process.execPath,
		['--expose-gc', join(__dirname, 'memory.js'), mode],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
	);
	return JSON.parse(output.trim().split('\n').pop() as string) as MemoryFigure;
}

interface OversizedFigure {
	mode: string;
	growth: number;
	capBytes: number;
	error?: string;
}

/** An endless result body against the default Max Video Size, in a fresh process per mode. */
function benchOversized(mode: 'default' | 'filesystem'): OversizedFigure {
	const output = execFileSync(
		process.execPath,
		['--expose-gc', join(__dirname, 'oversized.js'), mode],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
	);
	return JSON.parse(output.trim().split('\n').pop() as string) as OversizedFigure;
}

async function main() {
	log('HappyHorse benchmarks against the local emulator (one run; about 5 minutes)…');
	const memory = [benchMemory('default'), benchMemory('filesystem')];
	const oversized = [benchOversized('filesystem'), benchOversized('default')];
	// The long tasks and the one-at-a-time baseline mostly sleep: run them beside the rest.
	// The default's batch, and the same batch at other poll intervals: the frontier between
	// queries and lag (each on an emulator, so an account, of its own).
	const long = benchLongTasks();
	const frontier = Promise.all(
		FRONTIER_POLL_INTERVALS.map(async (interval) => await benchLongTasks(interval)),
	);
	const oneAtATime = benchOneAtATime();
	const waves = await benchWaves();
	const textWaves = await benchWaves(textToVideoParameters());
	const concurrent = await benchConcurrentExecutions(TASK_MS);
	const throughput = await benchThroughput();
	const estimates = await benchEstimates();
	// Last: it boots a real n8n twice, and its load must not disturb the timings above.
	const n8nMemory = await benchN8nMemory(() => {});
	const [longResult, frontierResults, baselineMs] = await Promise.all([long, frontier, oneAtATime]);

	const idealMs = 4 * TASK_MS + (ITEMS / 5) * 1000;
	figures.push({
		name: `${ITEMS} items × ${TASK_MS / 1000} s tasks, 5 running at once: wall time / ideal (4 waves × 6 s + 4 s of submits = ${seconds(idealMs)})`,
		value: `${seconds(waves.wallMs)} → ${(waves.wallMs / idealMs).toFixed(2)}×`,
		goal: '≤ 1.15×',
		met: waves.wallMs / idealMs <= 1.15,
	});
	figures.push({
		name: `${ITEMS} Create Text-to-Video Task items × ${TASK_MS / 1000} s tasks: wall time / the same ideal`,
		value: `${seconds(textWaves.wallMs)} → ${(textWaves.wallMs / idealMs).toFixed(2)}×`,
		goal: '≤ 1.15×',
		met: textWaves.wallMs / idealMs <= 1.15,
	});
	figures.push({
		name: `the same, one item after another (as other video nodes wait) / all at once`,
		value: `${seconds(baselineMs)} → ${(baselineMs / waves.wallMs).toFixed(1)}× slower`,
		goal: 'printed',
		met: true,
	});
	const waveLag = median(waves.lags);
	figures.push({
		name: 'median detection lag, completion → node sees it (20 × 6 s tasks, default poll interval)',
		value: seconds(waveLag),
		goal: '≤ 4 s',
		met: waveLag <= 4_000,
	});
	figures.push({
		name: 'status queries per task, 20 × 6 s tasks (mean, most)',
		value: `${mean(waves.queries).toFixed(1)}, ${Math.max(...waves.queries)}`,
		goal: 'printed',
		met: true,
	});
	const longQueries = mean(longResult.queries);
	const longLag = median(longResult.lags);
	figures.push({
		name: `status queries per 3-minute task, 5 at once, default poll interval (mean; all)`,
		value: `${longQueries.toFixed(1)} (${longResult.queries.join(', ')})`,
		goal: '≤ 12',
		met: longQueries <= 12,
	});
	figures.push({
		name: 'median detection lag on those 3-minute tasks',
		value: `${seconds(longLag)} (all: ${longResult.lags.map(seconds).join(', ')})`,
		goal: '≤ 4 s',
		met: longLag <= 4_000,
	});
	for (const [index, interval] of FRONTIER_POLL_INTERVALS.entries()) {
		figures.push({
			name: `  the same batch with Poll Interval ${interval} s: queries per task (mean; all) · median lag`,
			value: frontierLine(frontierResults[index]),
			goal: 'printed',
			met: true,
		});
	}
	const throttled = concurrent.throttled.submit + concurrent.throttled.query;
	figures.push({
		name: `${concurrent.executions} executions × 5 items × ${TASK_MS / 1000} s tasks at once in one process, one credential: 429s seen (submit + query)`,
		value: `${concurrent.throttled.submit} + ${concurrent.throttled.query}; ${concurrent.submits} submits for ${concurrent.tasks} tasks; ${seconds(concurrent.wallMs)}`,
		goal: '0 429s, one submit per task',
		met: throttled === 0 && concurrent.submits === concurrent.tasks,
	});
	const ratio = throughput.nodeMs / throughput.fetchMs;
	figures.push({
		name: '1000 × Create Edit Task without waiting, node / plain fetch loop (both one request at a time)',
		value: `${seconds(throughput.nodeMs)} / ${seconds(throughput.fetchMs)} → ${ratio.toFixed(2)}×`,
		goal: '≤ 1.5×',
		met: ratio <= 1.5,
	});

	figures.push({
		name: `cost estimate of ${estimates.videos} video edits by URL (moov at the start for half, at the end for the other half): range requests and bytes read per video (most; mean)`,
		value: `${estimates.maxRequests}; ${estimates.meanRequests.toFixed(1)} requests · ${(estimates.maxBytes / 1024).toFixed(1)} kB; ${(estimates.meanBytes / 1024).toFixed(1)} kB${estimates.allRead ? '' : ' (some lengths not read)'}`,
		goal: '≤ 2 requests and ≤ 1 MB per video',
		met: estimates.allRead && estimates.maxRequests <= 2 && estimates.maxBytes <= 1024 * 1024,
	});
	const estimateRatio = estimates.estimateMs / estimates.validationMs;
	figures.push({
		name: `the same ${estimates.videos} items, Estimate Only / validation-only (their videos as oss:// URLs, not read), median of 5 runs, loopback`,
		value: `${estimates.estimateMs.toFixed(0)} ms / ${estimates.validationMs.toFixed(0)} ms → ${estimateRatio.toFixed(2)}×`,
		goal: '≤ 1.5×',
		met: estimateRatio <= 1.5,
	});

	const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(0)} MB`;
	const [inMemory, onDisk] = memory;
	figures.push({
		name: "peak memory growth, 100 MB video in and 100 MB result out, n8n's default (in-memory) binary mode (deprecated in n8n 2.x: no longer a goal)",
		value: `${megabytes(inMemory.growth)} → ${(inMemory.growth / inMemory.fileBytes).toFixed(2)}× the file`,
		goal: 'printed',
		met: true,
	});
	figures.push({
		name: 'the same in filesystem binary mode',
		value: megabytes(onDisk.growth),
		goal: '≤ 64 MB',
		met: onDisk.growth <= 64 * 1024 * 1024,
	});
	for (const figure of n8nMemory) {
		figures.push({
			name: `real n8n 2.41.1, ${figure.mode} binary mode: peak growth of the n8n process, Read Files from Disk (100 MB video) → HappyHorse (upload, 100 MB result)`,
			value: `${megabytes(figure.growth)} → ${(figure.growth / figure.fileBytes).toFixed(2)}× the file (${seconds(figure.ms)})`,
			goal: 'printed',
			met: true,
		});
	}

	for (const figure of oversized) {
		const cut = figure.error?.includes('passed the limit') ?? false;
		figures.push({
			name: `peak memory growth while an endless result is cut at the default Max Video Size (${figure.capBytes / 1024 / 1024} MB of 1,048,576 bytes), ${figure.mode} binary mode`,
			value: `${megabytes(figure.growth)} → ${(figure.growth / figure.capBytes).toFixed(2)}× the cap${cut ? '' : ` (not cut: ${figure.error ?? 'no error'})`}`,
			goal:
				figure.mode === 'filesystem'
					? '≤ 0.25× the cap'
					: 'printed (the body is held in memory up to the cap)',
			met: cut && (figure.mode !== 'filesystem' || figure.growth <= 0.25 * figure.capBytes),
		});
	}

	log('');
	for (const figure of figures) {
		log(`${figure.met ? 'MET ' : 'MISS'}  ${figure.name}`);
		log(`      ${figure.value}   (goal ${figure.goal})`);
	}
	const missed = figures.filter((figure) => !figure.met).length;
	log('');
	log(`bench: ${figures.length - missed} goals met, ${missed} missed`);
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

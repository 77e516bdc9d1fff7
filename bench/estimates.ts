// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../dev/harness/runNode';
import type { RangeHostRequest } from '../dev/rangeVideoHost';

/**
 * The cost estimate of 100 video edits given as URLs (docs/COSTS.md, "Speed"): the range
 * requests and bytes the node reads of each video to learn its length, and the time of an
 * Estimate Only run against a validation-only run of the same items (their videos as oss://
 * URLs, which the node does not read: every check and the estimate, no header reads), on
 * loopback. Half the videos keep moov at the start, half at the end, after 20 MB of media data.
 */

const VIDEOS = 100;
const RUNS = 5;
const MEDIA_DATA_BYTES = 20 * 1024 * 1024;

export interface EstimateFigures {
	videos: number;
	maxRequests: number;
	meanRequests: number;
	maxBytes: number;
	meanBytes: number;
	/** Median of RUNS runs each. */
	estimateMs: number;
	validationMs: number;
	/** Every item's estimate read the video's 4 s. */
	allRead: boolean;
}

function editParameters(videoUrl: string): INodeParameters {
	return {
		operation: 'createEditTask',
		prompt: 'Replace the background with a beach at sunset',
		videoSource: 'url',
		videoUrl,
		options: { resolution: '720P', estimateOnly: true },
	};
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** bench/rangeHostServer.ts in a child process: its origin, and a way to ask for its log. */
async function startHost() {
	const child = spawn(
		process.execPath,
		[join(__dirname, 'rangeHostServer.js'), String(VIDEOS), String(MEDIA_DATA_BYTES)],
		{ stdio: ['pipe', 'pipe', 'inherit'] },
	);
	const lines: string[] = [];
	let waiting: ((line: string) => void) | undefined;
	let buffered = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (text: string) => {
		buffered += text;
		let end: number;
		while ((end = buffered.indexOf('\n')) >= 0) {
			const line = buffered.slice(0, end);
			buffered = buffered.slice(end + 1);
			if (waiting) {
				const resolve = waiting;
				waiting = undefined;
				resolve(line);
			} else lines.push(line);
		}
	});
	const nextLine = async () =>
		lines.length > 0
			? (lines.shift() as string)
			: await new Promise<string>((resolve) => (waiting = resolve));
	const origin = (await nextLine()).replace(/^ready /, '');
	return {
		origin,
		reset: () => child.stdin.write('reset\n'),
		async requests(): Promise<RangeHostRequest[]> {
			child.stdin.write('stats\n');
			return JSON.parse((await nextLine()).replace(/^stats /, '')) as RangeHostRequest[];
		},
		stop: () => child.kill('SIGTERM'),
	};
}

export async function benchEstimates(): Promise<EstimateFigures> {
	const host = await startHost();
	try {
		const urls = Array.from(
			{ length: VIDEOS },
			(_, index) => `${host.origin}/videos/${index}-${index % 2 === 0 ? 'start' : 'end'}.mp4`,
		);
		const run = async (videoUrl: (index: number) => string) => {
			const started = performance.now();
			const { items, error } = await runNode({
				credentials: { apiKey: 'sk-never-sent', endpoint: 'dashscopeSingapore' },
				executionId: `bench-estimates-${Math.random()}`,
				items: urls.map((_, index) => ({ json: { videoUrl: videoUrl(index) } })),
				parameters: editParameters('={{ $json.videoUrl }}'),
			});
			const ms = performance.now() - started;
			if (error || items.length !== VIDEOS) {
				throw new Error(`estimate bench failed: ${error?.message}`);
			}
			return { ms, items };
		};
		const estimateMs: number[] = [];
		const validationMs: number[] = [];
		let allRead = true;
		// Alternated, so both see the same warm engine.
		for (let round = 0; round < RUNS; round++) {
			host.reset();
			const estimated = await run((index) => urls[index]);
			estimateMs.push(estimated.ms);
			allRead &&= estimated.items.every(
				(item) => (item.json.estimate as { inputSeconds?: number }).inputSeconds === 4,
			);
			validationMs.push((await run((index) => `oss://bench/videos/${index}.mp4`)).ms);
		}
		// The reads of the last estimate run, per URL.
		const seen = await host.requests();
		const perUrl = urls.map((url) =>
			seen.filter((request) => request.path === new URL(url).pathname),
		);
		const requests = perUrl.map((reads) => reads.length);
		const bytes = perUrl.map((reads) => reads.reduce((sum, request) => sum + request.bytesSent, 0));
		const mean = (values: number[]) =>
			values.reduce((sum, value) => sum + value, 0) / values.length;
		return {
			videos: VIDEOS,
			maxRequests: Math.max(...requests),
			meanRequests: mean(requests),
			maxBytes: Math.max(...bytes),
			meanBytes: mean(bytes),
			estimateMs: median(estimateMs),
			validationMs: median(validationMs),
			allRead,
		};
	} finally {
		host.stop();
	}
}

if (require.main === module) {
	benchEstimates()
		.then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`))
		.catch((error: unknown) => {
			process.stderr.write(`${String(error)}\n`);
			process.exit(1);
		});
}

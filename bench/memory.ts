// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import type { BinaryMode } from '../dev/harness/binaryData';
import { binaryOf, useFilesystemBinaryMode } from '../dev/harness/binaryData';
import { runNode } from '../dev/harness/runNode';
import { mediaFixture } from '../dev/paths';

/**
 * One measurement, in a fresh process: a 100 MB video goes in (from an earlier node, in the
 * given binary mode) and a 100 MB result comes out. Prints the peak growth of the process's
 * memory (RSS) over its state just before the node ran. Run by bench/run.ts.
 */

const FILE_BYTES = 100_000_000;

/** good.mp4 (4 s, H.264, moov first) padded with a `free` box to 100 MB: it passes the checks. */
function hundredMegabyteVideo(): Buffer {
	const good = readFileSync(mediaFixture('good.mp4'));
	const free = Buffer.alloc(FILE_BYTES - good.length);
	free.writeUInt32BE(free.length, 0);
	free.write('free', 4, 'latin1');
	return Buffer.concat([good, free]);
}

async function startEmulator(): Promise<{ origin: string; apiKey: string; stop(): void }> {
	const child = spawn(
		process.execPath,
		[join(__dirname, 'emulatorServer.js'), String(FILE_BYTES)],
		{
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const line = await new Promise<string>((resolve) => {
		child.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
	});
	const [, origin, apiKey] = line.trim().split(' ');
	return { origin, apiKey, stop: () => child.kill('SIGTERM') };
}

async function main() {
	const mode = (process.argv[2] ?? 'default') as BinaryMode;
	if (mode === 'filesystem') await useFilesystemBinaryMode();
	const emulator = await startEmulator();
	try {
		let input: INodeExecutionData | undefined = {
			json: {},
			binary: {
				video: await binaryOf(
					{ bytes: hundredMegabyteVideo(), fileName: 'input.mp4', mimeType: 'video/mp4' },
					mode,
				),
			},
		};
		const items = [input];
		input = undefined;
		global.gc?.();
		await new Promise((resolve) => setTimeout(resolve, 200));
		global.gc?.();
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 5);
		const started = Date.now();
		const { error, items: output } = await runNode({
			credentials: {
				apiKey: emulator.apiKey,
				endpoint: 'custom',
				baseUrl: `${emulator.origin}/api/v1`,
				apiFormat: 'native',
			},
			items,
			parameters: {
				operation: 'createEditTask',
				prompt: 'Replace the background with a beach at sunset',
				videoSource: 'binary',
				videoBinaryProperty: 'video',
				waitForCompletion: true,
				downloadVideo: true,
				options: { pollInterval: 0.05 },
			},
		});
		clearInterval(sampler);
		peak = Math.max(peak, process.memoryUsage().rss);
		if (error) throw error;
		const bytes = output[0].binary?.data?.bytes;
		process.stdout.write(
			`${JSON.stringify({ mode, growth: peak - baseline, fileBytes: FILE_BYTES, ms: Date.now() - started, outputBytes: bytes })}\n`,
		);
	} finally {
		emulator.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { HappyHorseEmulator } from '../dev/emulator';
import type { BinaryMode } from '../dev/harness/binaryData';
import { useFilesystemBinaryMode } from '../dev/harness/binaryData';
import { runNode } from '../dev/harness/runNode';
import { DEFAULT_MAX_VIDEO_SIZE_MB } from '../nodes/HappyHorse/schemas/limits';
import { credentials, editParameters } from './polling';
import { peakGrowthDuring } from './peakGrowth';

/**
 * One measurement, in a fresh process: a task's result URL leads to a body that never ends, and
 * the node downloads it with the default Max Video Size. Prints the peak growth of the process's
 * memory (RSS) while the node runs, and the error it ended with. Run by bench/run.ts.
 */

async function startEndlessHost(): Promise<{ origin: string; stop(): void }> {
	const child = spawn(process.execPath, [join(__dirname, 'endlessVideoHost.js')], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const line = await new Promise<string>((resolve) => {
		child.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
	});
	return { origin: line.trim().split(' ')[1], stop: () => child.kill('SIGTERM') };
}

async function main() {
	const mode = (process.argv[2] ?? 'filesystem') as BinaryMode;
	if (mode === 'filesystem') await useFilesystemBinaryMode();
	const host = await startEndlessHost();
	const emulator = new HappyHorseEmulator();
	await emulator.start();
	emulator.taskScript = () => ({ videoUrl: `${host.origin}/endless.mp4` });
	try {
		global.gc?.();
		const baseline = process.memoryUsage().rss;
		const {
			result: { error },
			growth,
			ms,
		} = await peakGrowthDuring(
			() => process.memoryUsage().rss,
			baseline,
			async () =>
				await runNode({
					credentials: credentials(emulator),
					parameters: editParameters({ pollInterval: 0.05 }),
				}),
		);
		process.stdout.write(
			`${JSON.stringify({
				mode,
				growth,
				capBytes: DEFAULT_MAX_VIDEO_SIZE_MB * 1024 * 1024,
				ms,
				error: error?.message,
			})}\n`,
		);
	} finally {
		await emulator.stop();
		host.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

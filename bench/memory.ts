// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import type { INodeExecutionData } from 'n8n-workflow';

import type { BinaryMode } from '../dev/harness/binaryData';
import { binaryOf, useFilesystemBinaryMode } from '../dev/harness/binaryData';
import { runNode } from '../dev/harness/runNode';
import { FILE_BYTES, hundredMegabyteVideo, startEmulatorProcess } from './hundredMegabytes';
import { peakGrowthDuring } from './peakGrowth';

/**
 * One measurement, in a fresh process: a 100 MB video goes in (from an earlier node, in the
 * given binary mode) and a 100 MB result comes out. Prints the peak growth of the process's
 * memory (RSS) over its state just before the node ran. Run by bench/run.ts.
 */

async function main() {
	const mode = (process.argv[2] ?? 'default') as BinaryMode;
	if (mode === 'filesystem') await useFilesystemBinaryMode();
	const emulator = await startEmulatorProcess();
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
		const {
			result: { error, items: output },
			growth,
			ms,
		} = await peakGrowthDuring(
			() => process.memoryUsage().rss,
			baseline,
			async () =>
				await runNode({
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
				}),
		);
		if (error) throw error;
		const bytes = output[0].binary?.data?.bytes;
		process.stdout.write(
			`${JSON.stringify({ mode, growth, fileBytes: FILE_BYTES, ms, outputBytes: bytes })}\n`,
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

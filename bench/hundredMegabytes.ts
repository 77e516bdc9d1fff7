import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { mediaFixture } from '../dev/paths';

/**
 * What the memory benchmarks (bench/memory.ts in n8n's engine, bench/n8nMemory.ts in real n8n)
 * share: the 100 MB file that goes in and comes out, and the emulator in a process of its own,
 * so the bytes it receives and serves do not count against the node.
 */

export const FILE_BYTES = 100_000_000;

/** good.mp4 (4 s, H.264, moov first) padded with a `free` box to 100 MB: it passes the checks. */
export function hundredMegabyteVideo(): Buffer {
	const good = readFileSync(mediaFixture('good.mp4'));
	const free = Buffer.alloc(FILE_BYTES - good.length);
	free.writeUInt32BE(free.length, 0);
	free.write('free', 4, 'latin1');
	return Buffer.concat([good, free]);
}

/** bench/emulatorServer.ts in a child process, serving a result of FILE_BYTES. */
export async function startEmulatorProcess(): Promise<{
	origin: string;
	apiKey: string;
	stop(): void;
}> {
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

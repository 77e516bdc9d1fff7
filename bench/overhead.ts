// First: n8n-core reads its environment when it loads.
import '../dev/setup/env';

import { runNode } from '../dev/harness/runNode';
import { credentials, editParameters, median, withEmulator } from './polling';

/**
 * The node's own cost per request: 1000 submits through n8n's engine against a bare fetch loop.
 * Part of `npm run bench`; alone (`node .build/bench/overhead.js [runs]` after
 * `tsc -p tsconfig.scripts.json`) it repeats the pair, since one run on a shared machine says
 * little.
 */

interface Throughput {
	nodeMs: number;
	fetchMs: number;
	/** CPU time of this process (the emulator's included, alike on both sides): less hit by load. */
	nodeCpuMs: number;
	fetchCpuMs: number;
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** 1000 submits without waiting, through n8n's engine, against a bare fetch loop. */
export async function benchThroughput(): Promise<Throughput> {
	return await withEmulator(async (emulator) => {
		const count = 1000;
		// The account's 5 per second would make both sides wait alike: lift it to measure the node.
		const started = Date.now();
		const nodeCpu = process.cpuUsage();
		const { items, error } = await runNode({
			credentials: credentials(emulator, { submitsPerSecond: 1_000_000 }),
			items: Array.from({ length: count }, (_, i) => ({ json: { i } })),
			parameters: { ...editParameters(), waitForCompletion: false },
		});
		const nodeMs = Date.now() - started;
		const nodeCpuMs = cpuMs(process.cpuUsage(nodeCpu));
		if (error || items.length !== count)
			throw new Error(`throughput bench failed: ${error?.message}`);

		const body = emulator.requestsOf('submit')[0].body;
		const fetchStarted = Date.now();
		const fetchCpu = process.cpuUsage();
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
		const fetchMs = Date.now() - fetchStarted;
		return { nodeMs, fetchMs, nodeCpuMs, fetchCpuMs: cpuMs(process.cpuUsage(fetchCpu)) };
	});
}

async function main(runs: number) {
	const wall: number[] = [];
	const cpu: number[] = [];
	for (let run = 1; run <= runs; run++) {
		const { nodeMs, fetchMs, nodeCpuMs, fetchCpuMs } = await benchThroughput();
		wall.push(nodeMs / fetchMs);
		cpu.push(nodeCpuMs / fetchCpuMs);
		process.stdout.write(
			`run ${run}: wall ${nodeMs} / ${fetchMs} ms → ${(nodeMs / fetchMs).toFixed(2)}×, cpu ${nodeCpuMs.toFixed(0)} / ${fetchCpuMs.toFixed(0)} ms → ${(nodeCpuMs / fetchCpuMs).toFixed(2)}×\n`,
		);
	}
	process.stdout.write(
		`median of ${runs}: wall ${median(wall).toFixed(2)}×, cpu ${median(cpu).toFixed(2)}× (wall min ${Math.min(...wall).toFixed(2)}×)\n`,
	);
}

if (require.main === module) {
	main(Number(process.argv[2] ?? 3)).catch((error: unknown) => {
		process.stderr.write(`${String(error)}\n`);
		process.exitCode = 1;
	});
}

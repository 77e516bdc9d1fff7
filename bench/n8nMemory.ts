import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	N8nRestClient,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
	packPackage,
} from '../dev/n8n';
import { FILE_BYTES, hundredMegabyteVideo, startEmulatorProcess } from './hundredMegabytes';
import { peakGrowthDuring } from './peakGrowth';

/**
 * n8n's `database` binary data mode lives in n8n's cli package (packages/cli, binary-data/
 * database.manager.ts, registered by n8n's BaseCommand with a TypeORM repository of @n8n/db),
 * not in n8n-core: the engine this project's harness runs cannot use it. So this measurement
 * runs the packed package in a real n8n 2.41.1 (dev/n8n), once per mode, and samples the n8n
 * process's memory (RSS) while a workflow reads a 100 MB video from disk, has HappyHorse edit
 * it (upload, wait, download a 100 MB result) and ends. It measures the whole workflow in n8n,
 * Read Files from Disk included, the same way in both modes. Run by bench/run.ts.
 */

export interface N8nMemoryFigure {
	mode: 'database' | 'filesystem';
	/** Peak RSS of the n8n process during the run, over its RSS just before. */
	growth: number;
	fileBytes: number;
	ms: number;
}

function writeHundredMegabyteVideo(path: string): void {
	writeFileSync(path, hundredMegabyteVideo());
}

/** The n8n process started in this user folder (its working directory), by /proc. */
function n8nPid(userFolder: string): number {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cwd = readlinkSync(`/proc/${entry}/cwd`);
			const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (cwd === userFolder && cmdline.includes('start')) return Number(entry);
		} catch {
			// A process that ended meanwhile, or one that is not ours.
		}
	}
	throw new Error(`no n8n process runs in ${userFolder}`);
}

function rssOf(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
	return Number(kilobytes ?? 0) * 1024;
}

function workflow(videoPath: string, credential: { id: string; name: string }) {
	const trigger = "When clicking 'Execute workflow'";
	return {
		name: `HappyHorse memory bench ${Date.now()}`,
		nodes: [
			{
				parameters: {},
				id: 'a0000000-0000-4000-8000-000000000001',
				name: trigger,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
			},
			{
				parameters: { fileSelector: videoPath, options: { dataPropertyName: 'video' } },
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'Read video',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1,
				position: [220, 0],
			},
			{
				parameters: {
					operation: 'createEditTask',
					prompt: 'Replace the background with a beach at sunset',
					videoSource: 'binary',
					videoBinaryProperty: 'video',
					waitForCompletion: true,
					downloadVideo: true,
					options: { pollInterval: 0.05 },
				},
				id: 'a0000000-0000-4000-8000-000000000003',
				name: 'Edit video',
				type: 'n8n-nodes-happyhorse.happyHorse',
				typeVersion: 1,
				position: [440, 0],
				credentials: { happyHorseApi: credential },
			},
		],
		connections: {
			[trigger]: { main: [[{ node: 'Read video', type: 'main', index: 0 }]] },
			'Read video': { main: [[{ node: 'Edit video', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** One mode: a fresh user folder, n8n 2.41.1 in that mode, one run of the workflow. */
async function measure(
	mode: N8nMemoryFigure['mode'],
	tarball: string,
	log: (line: string) => void,
): Promise<N8nMemoryFigure> {
	const install = await ensureN8nInstalled('2', log);
	const userFolder = mkdtempSync(join(tmpdir(), `happyhorse-bench-${mode}-`));
	await installCommunityPackage(userFolder, tarball, log);
	const videoPath = join(userFolder, 'input.mp4');
	writeHundredMegabyteVideo(videoPath);
	const emulator = await startEmulatorProcess();
	const n8n = await startN8n({
		install,
		userFolder,
		env: { N8N_DEFAULT_BINARY_DATA_MODE: mode },
	});
	try {
		const client = await N8nRestClient.login(n8n);
		const credential = await client.createCredential('HappyHorse bench', 'happyHorseApi', {
			apiKey: emulator.apiKey,
			endpoint: 'custom',
			baseUrl: `${emulator.origin}/api/v1`,
			apiFormat: 'native',
		});
		const saved = await client.createWorkflow(
			workflow(videoPath, { id: credential.id, name: 'HappyHorse bench' }),
		);
		const pid = n8nPid(userFolder);
		// Let the boot settle, then take the quietest moment as the baseline.
		let baseline = Infinity;
		for (let sample = 0; sample < 20; sample++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			baseline = Math.min(baseline, rssOf(pid));
		}
		const {
			result: execution,
			growth,
			ms,
		} = await peakGrowthDuring(
			() => rssOf(pid),
			baseline,
			async () => {
				const executionId = await client.runWorkflow(saved, "When clicking 'Execute workflow'");
				return await client.waitForExecution(executionId, 300_000);
			},
			20,
		);
		if (execution.status !== 'success') {
			throw new Error(
				`memory bench in ${mode} mode: ${execution.status} ${JSON.stringify(execution.data?.resultData?.error)}`,
			);
		}
		return { mode, growth, fileBytes: FILE_BYTES, ms };
	} finally {
		await n8n.stop();
		emulator.stop();
	}
}

/** Both stored modes in real n8n, one after another. */
export async function benchN8nMemory(log: (line: string) => void): Promise<N8nMemoryFigure[]> {
	const tarball = packPackage();
	const figures: N8nMemoryFigure[] = [];
	for (const mode of ['database', 'filesystem'] as const) {
		figures.push(await measure(mode, tarball, log));
	}
	return figures;
}

// `node .build/bench/n8nMemory.js`: this measurement alone.
if (require.main === module) {
	benchN8nMemory((line) => process.stderr.write(`${line}\n`))
		.then((figures) => process.stdout.write(`${JSON.stringify(figures)}\n`))
		.catch((error: unknown) => {
			process.stderr.write(
				`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
			);
			process.exit(1);
		});
}

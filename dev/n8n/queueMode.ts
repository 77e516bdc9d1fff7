/**
 * n8n in queue mode on one machine, as production runs it on several: Redis, one main (editor,
 * REST, webhooks; it runs no executions), and workers that take executions from the queue. Each
 * process has its own user folder with the package installed as Community Nodes installs it; they
 * share one database file, one encryption key and, for the filesystem binary mode, one storage
 * folder (what a shared volume is in production).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startRedis, type RunningRedis } from '../redis';
import { installCommunityPackage, type N8nInstall } from './install';
import { startN8n } from './process';
import type { RunningN8n } from './runningN8n';

/** n8n's binary data modes that queue mode can use (`default`, in memory, cannot cross processes). */
export type QueueBinaryDataMode = 'database' | 'filesystem';

export interface QueueCluster {
	redis: RunningRedis;
	main: RunningN8n;
	workers: RunningN8n[];
	/** The folder shared by every process (database file, binary storage); stop() removes it. */
	sharedDir: string;
	/** The workers whose log says they started (or resumed) this execution. */
	workersThatRan(executionId: string): RunningN8n[];
	stop(): Promise<void>;
}

export async function startQueueCluster(options: {
	install: N8nInstall;
	/** The packed package, installed into every process's user folder. */
	tarball: string;
	workerCount: number;
	/** Unset: n8n's own default, which in queue mode is `database` (n8n 2.x). */
	binaryDataMode?: QueueBinaryDataMode;
	/** Jobs one worker runs at once (N8N_CONCURRENCY_PRODUCTION_LIMIT); n8n's default is 10. */
	workerConcurrency?: number;
	/** Extra environment for every process. */
	env?: Record<string, string>;
	log?: (line: string) => void;
}): Promise<QueueCluster> {
	const { install, tarball } = options;
	const log = options.log ?? (() => {});
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `happyhorse-queue-n8n${install.major}-`));
	const sharedDir = path.join(root, 'shared');
	fs.mkdirSync(sharedDir, { recursive: true });

	const redis = await startRedis({ log });
	const started: RunningN8n[] = [];
	const stop = async () => {
		// Workers first, so none is left waiting for a main that is gone.
		await Promise.allSettled(
			started.filter((n8n) => n8n.command === 'worker').map((n) => n.stop()),
		);
		await Promise.allSettled(started.filter((n8n) => n8n.command === 'start').map((n) => n.stop()));
		await redis.stop();
		fs.rmSync(root, { recursive: true, force: true });
	};

	try {
		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// One database for all: an absolute path is used as it is (n8n resolves it against its
			// folder). n8n warns that SQLite is not officially supported in queue mode; it works on one
			// machine, which is all this is for.
			DB_SQLITE_DATABASE: path.join(sharedDir, 'database.sqlite'),
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_STORAGE_PATH: path.join(sharedDir, 'storage'),
			...(options.binaryDataMode ? { N8N_DEFAULT_BINARY_DATA_MODE: options.binaryDataMode } : {}),
			...(options.workerConcurrency
				? { N8N_CONCURRENCY_PRODUCTION_LIMIT: String(options.workerConcurrency) }
				: {}),
			...options.env,
		};
		const userFolder = async (name: string) => {
			const folder = path.join(root, name);
			fs.mkdirSync(folder, { recursive: true });
			await installCommunityPackage(folder, tarball, log);
			return folder;
		};

		// The main first: it creates the database and runs the migrations the workers expect.
		const main = await startN8n({ install, userFolder: await userFolder('main'), env, log });
		started.push(main);
		const folders = await Promise.all(
			Array.from({ length: options.workerCount }, (_, index) => userFolder(`worker-${index + 1}`)),
		);
		const booted = await Promise.allSettled(
			folders.map((folder) =>
				startN8n({ install, userFolder: folder, command: 'worker', env, log }),
			),
		);
		for (const result of booted) if (result.status === 'fulfilled') started.push(result.value);
		const failed = booted.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		const workers = started.filter((n8n) => n8n.command === 'worker');
		return {
			redis,
			main,
			workers,
			sharedDir,
			workersThatRan: (executionId) =>
				workers.filter((worker) =>
					worker.logs().includes(`Worker started execution ${executionId} (job`),
				),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * A throw-away Redis for n8n's queue mode: Debian's `redis-server` (found on PATH or in /usr/bin,
 * else installed with apt-get, as CI runs as root on a fresh Debian), on a free loopback port,
 * with no persistence, stopped again with the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { lineSplitter, run, sleep } from './n8n/commands';

export interface RunningRedis {
	host: string;
	port: number;
	/** Everything redis-server printed so far. */
	logs(): string;
	stop(): Promise<void>;
}

const READY_LOG_LINE = 'Ready to accept connections';

/** The path of redis-server: on PATH, in /usr/bin, or installed from Debian's packages. */
async function ensureRedisServer(log: (line: string) => void = () => {}): Promise<string> {
	const found = findOnPath('redis-server');
	if (found) return found;
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(
			'redis-server is not installed and this is not root: run `sudo apt-get install -y redis-server`',
		);
	}
	log("redis-server: not found, installing Debian's package (apt-get install -y redis-server)");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
			cwd: os.tmpdir(),
			env,
			log,
		});
	try {
		await install();
	} catch {
		// A fresh machine may have no package lists yet.
		await run('apt-get', ['update'], { cwd: os.tmpdir(), env, log });
		await install();
	}
	const installed = findOnPath('redis-server');
	if (!installed) throw new Error('apt-get installed redis-server, but it is not on PATH');
	return installed;
}

function findOnPath(command: string): string | undefined {
	const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin'];
	for (const dir of dirs) {
		if (!dir) continue;
		const candidate = path.join(dir, command);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// Not here.
		}
	}
	return undefined;
}

/** Starts redis-server on 127.0.0.1 and a free port, without snapshots or an append-only file. */
export async function startRedis(
	options: { log?: (line: string) => void } = {},
): Promise<RunningRedis> {
	const log = options.log ?? (() => {});
	const binary = await ensureRedisServer(log);
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'happyhorse-redis-'));
	const child = spawn(
		binary,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--protected-mode',
			'yes',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	const forward = lineSplitter((line) => log(`[redis] ${line}`));
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => {
			if (output.length < 1024 * 1024) output += chunk;
			forward(chunk);
		});
	}
	let exited = false;
	const exit = new Promise<void>((resolve) => {
		child.once('exit', () => {
			exited = true;
			resolve();
		});
		child.once('error', (error) => {
			output += `\n[spawn error] ${error.message}\n`;
			exited = true;
			resolve();
		});
	});
	// A caller that exits without stop() must not leave Redis running.
	const killOnExit = () => killChild(child, 'SIGKILL');
	process.on('exit', killOnExit);

	const stop = async () => {
		process.removeListener('exit', killOnExit);
		if (!exited) killChild(child, 'SIGTERM');
		await exit;
		fs.rmSync(dir, { recursive: true, force: true });
	};

	const deadline = Date.now() + 20_000;
	while (!output.includes(READY_LOG_LINE)) {
		if (exited || Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not start on port ${port}:\n${output.slice(-4000)}`);
		}
		await sleep(50);
	}
	log(`redis-server: ready on 127.0.0.1:${port}`);
	return { host: '127.0.0.1', port, logs: () => output, stop };
}

function killChild(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		child.kill(signal);
	} catch {
		// Gone already.
	}
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

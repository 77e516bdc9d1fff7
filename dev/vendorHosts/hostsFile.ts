/**
 * Vendor host names on loopback through the system's hosts file: a marked block of lines, added
 * and removed again under a lock, by writing a temporary file and renaming it over the hosts
 * file (in place where the hosts file is a bind mount that cannot be replaced). Only the block
 * of this process is touched: other lines, other blocks (another run, another tool) stay.
 */
import {
	closeSync,
	openSync,
	readFileSync,
	renameSync,
	statSync,
	unlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface HostsBlockOptions {
	/** Default 127.0.0.1. */
	address?: string;
	/** Default /etc/hosts; tests of this module give a temporary file. */
	hostsFile?: string;
	/** Marks the block; blocks of this tag left by a process that is gone are removed too. */
	tag?: string;
}

export interface HostsBlock {
	names: string[];
	/** Takes this block out of the hosts file again; safe to call twice. */
	remove(): void;
}

const DEFAULT_TAG = 'happyhorse-vendor-hosts';
const LOCK_WAIT_MS = 10_000;

function sleepSync(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Runs `edit` while holding a lock file next to the system's temp files; a dead holder's lock is taken over. */
function withLock<T>(hostsFile: string, edit: () => T): T {
	const lock = join(tmpdir(), `${hostsFile.replace(/[^a-z0-9]+/gi, '_')}.happyhorse.lock`);
	const deadline = Date.now() + LOCK_WAIT_MS;
	for (;;) {
		try {
			closeSync(openSync(lock, 'wx'));
			writeFileSync(lock, String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = Number(readFileSafe(lock));
			if (holder > 0 && !isAlive(holder)) unlinkSafe(lock);
			else if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder}`);
			else sleepSync(25);
		}
	}
	try {
		return edit();
	} finally {
		unlinkSafe(lock);
	}
}

function readFileSafe(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function unlinkSafe(file: string): void {
	try {
		unlinkSync(file);
	} catch {
		// Already gone.
	}
}

/** Replaces the file's text at once; where it cannot be replaced (a bind mount), in place. */
function writeAtomically(file: string, text: string): void {
	const temporary = join(dirname(file), `.${process.pid}.happyhorse-hosts.tmp`);
	writeFileSync(temporary, text, { mode: statSync(file).mode & 0o7777 });
	try {
		renameSync(temporary, file);
	} catch (error) {
		unlinkSafe(temporary);
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'EBUSY' && code !== 'EXDEV' && code !== 'EPERM') throw error;
		writeFileSync(file, text);
	}
}

const opening = (tag: string, pid: number | string) => `# >>> ${tag} ${pid}`;
const closing = (tag: string, pid: number | string) => `# <<< ${tag} ${pid}`;

/** The text without the blocks of this tag that `drop` says to drop (by the pid that wrote them). */
function withoutBlocks(text: string, tag: string, drop: (pid: number) => boolean): string {
	const kept: string[] = [];
	let dropping: string | undefined;
	for (const line of text.split('\n')) {
		if (dropping !== undefined) {
			if (line === dropping) dropping = undefined;
			continue;
		}
		const start = new RegExp(`^# >>> ${tag} (\\d+)`).exec(line);
		if (start && drop(Number(start[1]))) {
			dropping = closing(tag, start[1]);
			continue;
		}
		kept.push(line);
	}
	return kept.join('\n');
}

function describeFailure(hostsFile: string, error: unknown): Error {
	const code = (error as NodeJS.ErrnoException).code ?? String(error);
	return new Error(
		`Cannot write ${hostsFile} (${code}): the vendor-host tests map the API's host names to ` +
			'127.0.0.1 there for the time of the test, so they must run as root (the CI machine does). ' +
			'Nothing is skipped: run them as root.',
	);
}

/**
 * Maps each name to the address (127.0.0.1) in the hosts file until `remove()`, or until this
 * process exits. Throws a clear error when the hosts file cannot be written.
 */
export function addHostsBlock(names: string[], options: HostsBlockOptions = {}): HostsBlock {
	const address = options.address ?? '127.0.0.1';
	const hostsFile = options.hostsFile ?? '/etc/hosts';
	const tag = options.tag ?? DEFAULT_TAG;
	const block = [
		`${opening(tag, process.pid)}: loopback stand-ins for tests, removed when they end`,
		...names.map((name) => `${address} ${name}`),
		closing(tag, process.pid),
	];
	try {
		withLock(hostsFile, () => {
			// Also the blocks a run that died left behind.
			const others = withoutBlocks(
				readFileSync(hostsFile, 'utf8'),
				tag,
				(pid) => pid === process.pid || !isAlive(pid),
			);
			writeAtomically(hostsFile, `${others.replace(/\n*$/, '\n')}${block.join('\n')}\n`);
		});
	} catch (error) {
		throw describeFailure(hostsFile, error);
	}
	let removed = false;
	const remove = () => {
		if (removed) return;
		removed = true;
		process.off('exit', remove);
		withLock(hostsFile, () => {
			const text = readFileSync(hostsFile, 'utf8');
			const without = withoutBlocks(text, tag, (pid) => pid === process.pid);
			if (without !== text) writeAtomically(hostsFile, without);
		});
	};
	process.on('exit', remove);
	return { names: [...names], remove };
}

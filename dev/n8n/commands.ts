/** Child processes and waiting, for the installs and the n8n processes. */
import { spawn } from 'node:child_process';

/** Whether a process with this id exists (one of another user's counts). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `onLine` for each complete line of a chunked stream. */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
	let partial = '';
	return (chunk) => {
		const lines = (partial + chunk).split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) if (line.trim() !== '') onLine(line.replace(/\r$/, ''));
	};
}

/** Runs a command, passing its output to `log` line by line; rejects with its last lines on failure. */
export async function run(
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
export async function capture(
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

import type { N8nInstall, N8nMajor } from './install';

/**
 * A started n8n, as process.ts hands it out and the REST client (restClient.ts) drives it: in a
 * file of its own, so the two need not import each other.
 */

/** `start`: a main with the editor and REST API; `worker`: a queue-mode worker (no editor). */
export type N8nCommand = 'start' | 'worker';

export interface RunningN8n {
	major: N8nMajor;
	command: N8nCommand;
	version: string;
	baseUrl: string;
	port: number;
	userFolder: string;
	/** The install it runs from; the REST client loads n8n's own flatted from it. */
	install: N8nInstall;
	/** Everything n8n printed so far, stdout and stderr interleaved. */
	logs(): string;
	stop(): Promise<void>;
	/** SIGKILL, at once, for n8n and its task runners: a crash, as when a machine dies. */
	kill(): Promise<void>;
}

import { sleep } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';

/**
 * Sleeps with the execution's cancel signal. `sleep` of older n8n versions ignores the signal,
 * so the abort is raced too: stopping the workflow ends any wait at once either way.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(Math.max(0, ms));
	if (signal.aborted) throw new ExecutionStoppedError(true);
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new ExecutionStoppedError(true));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	// sleep() rejects with the signal's own reason; the race makes it ExecutionStoppedError.
	const slept = sleep(Math.max(0, ms), signal).catch(() => undefined);
	try {
		await Promise.race([slept, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

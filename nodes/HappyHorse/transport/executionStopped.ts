/**
 * Thrown when the execution's cancel signal fires: during a pause, or while a request is in
 * flight. The stages catch it to clean up (cancel PENDING tasks) and end the run.
 */
export class ExecutionStoppedError extends Error {
	/**
	 * `duringPause`: the stop came while the node was waiting (a backoff, Retry-After, the rate
	 * limiter), with no request in flight, so the stopped call provably did nothing.
	 */
	constructor(readonly duringPause = false) {
		super('The execution was stopped');
		this.name = 'ExecutionStoppedError';
	}
}

/**
 * Thrown when the execution's cancel signal fires: during a pause, or while a request is in
 * flight. The stages catch it to clean up (cancel PENDING tasks) and end the run.
 */
export class ExecutionStoppedError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'ExecutionStoppedError';
	}
}

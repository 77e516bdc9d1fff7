import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';
import { HappyHorse } from '../../nodes/HappyHorse/HappyHorse.node';
import { GET_TASK_RETRY_SECONDS } from '../../nodes/HappyHorse/pipeline/itemState';

const emulator = useEmulator();

const BOUND_SECONDS = GET_TASK_RETRY_SECONDS;

async function createdTask(): Promise<string> {
	await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ waitForCompletion: false }),
	});
	const [taskId] = emulator.createdTaskIds;
	emulator.reset();
	return taskId;
}

test(
	'Get Task without waiting gives up on a failing API within its bound, saying so with the task id',
	async () => {
		const taskId = await createdTask();
		for (let i = 0; i < 40; i++) {
			emulator.failNext('query', {
				status: 503,
				body: { code: 'ServiceUnavailable', message: 'busy', request_id: 'r' },
			});
		}
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'getTask', taskId },
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		const message = String(items[0].json.error);
		expect(message).toMatch(
			new RegExp(`^Reading task ${taskId} failed \\(HTTP 503\\).*; gave up after \\d+(\\.\\d)? s$`),
		);
		const queries = emulator.requestsOf('query');
		// It did retry, and no query went out after the bound.
		expect(queries.length).toBeGreaterThan(1);
		const span = queries[queries.length - 1].receivedAt - queries[0].receivedAt;
		expect(span).toBeLessThanOrEqual(BOUND_SECONDS * 1000);
		expect(Number(/after ([\d.]+) s$/.exec(message)?.[1])).toBeLessThanOrEqual(BOUND_SECONDS);
	},
	BOUND_SECONDS * 1000 + 10_000,
);

test('the error of the node states the bound and keeps the task id', async () => {
	const taskId = await createdTask();
	for (let i = 0; i < 40; i++) emulator.failNextWith('query', { type: 'reset' });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: { operation: 'getTask', taskId },
	});
	expect(error?.message).toMatch(/^Could not reach the HappyHorse API at .*; gave up after/);
	expect(error?.message).toContain(`(task ${taskId})`);
	expect(error?.description).toContain(
		`Get Task without Wait for Completion retries for at most ${BOUND_SECONDS} s`,
	);
}, 25_000);

test('the parameter and docs/OPERATIONS.md state the same bound', () => {
	const waitForCompletion = new HappyHorse().description.properties.find(
		(property) =>
			property.name === 'waitForCompletion' &&
			property.displayOptions?.show?.operation?.includes('getTask'),
	);
	expect(waitForCompletion?.description).toContain(
		`after at most ${BOUND_SECONDS} s of retries when the API fails`,
	);
	const operations = readFileSync(join(__dirname, '../../docs/OPERATIONS.md'), 'utf8');
	const getTask = operations.slice(
		operations.indexOf('## Get Task'),
		operations.indexOf('## Cancel Task'),
	);
	expect(getTask).toContain(`it retries for at most ${BOUND_SECONDS} s`);
});

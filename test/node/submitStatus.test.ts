import { runNode } from '../../dev/harness/runNode';
import { createParameters, credentialsFor, useEmulator, worstCaseEditEstimate } from '../fixtures';

/** A submit whose answer already reports a final status (a gateway that ran the task at once). */
const emulator = useEmulator();

test.each([
	['FAILED', (taskId: string) => `Task ${taskId} failed: no reason given`],
	['CANCELED', (taskId: string) => `Task ${taskId} was canceled`],
	['UNKNOWN', (taskId: string) => `Task ${taskId} is unknown to the API`],
])('%s at submit is an error of the item naming the task', async (status, message) => {
	emulator.taskScript = () => ({ submitStatus: status, statuses: [status] });
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }],
		parameters: createParameters(),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	const [first, second] = emulator.createdTaskIds;
	expect(items.map((item) => item.json)).toEqual([
		{
			taskId: first,
			status,
			error: message(first),
			requestId: expect.any(String),
			estimate: worstCaseEditEstimate(),
		},
		{
			taskId: second,
			status,
			error: message(second),
			requestId: expect.any(String),
			estimate: worstCaseEditEstimate(),
		},
	]);
	expect(emulator.requestsOf('query')).toHaveLength(0);
	expect(emulator.requestsOf('download')).toHaveLength(0);
});

test('SUCCEEDED at submit is queried for its video URL, then downloaded', async () => {
	emulator.taskScript = () => ({ submitStatus: 'SUCCEEDED', statuses: ['SUCCEEDED'] });
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error).toBeUndefined();
	const [taskId] = emulator.createdTaskIds;
	expect(items[0].json.status).toBe('SUCCEEDED');
	expect(items[0].json.videoUrl).toContain(`/results/${taskId}.mp4`);
	expect(emulator.requestsOf('query')).toHaveLength(1);
	expect(emulator.requestsOf('download')).toHaveLength(1);
	expect(items[0].binary?.data.fileName).toBe(`${taskId}.mp4`);
});

test.each(['FAILED', 'SUCCEEDED'])(
	'without Wait for Completion, %s at submit is output as reported',
	async (status) => {
		emulator.taskScript = () => ({ submitStatus: status });
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: createParameters({ waitForCompletion: false }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			taskId: emulator.createdTaskIds[0],
			status,
			requestId: expect.any(String),
			estimate: worstCaseEditEstimate(),
			// A SUCCEEDED answer at submit carries no usage: no cost yet.
		});
		expect(emulator.requestsOf('query')).toHaveLength(0);
	},
);

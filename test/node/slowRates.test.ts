import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

/** Gaps between the arrivals of the submits, as the emulator received them. */
function submitGaps(): number[] {
	const arrivals = emulator.requestsOf('submit').map((submit) => submit.receivedAt);
	return arrivals.slice(1).map((arrival, index) => arrival - arrivals[index]);
}

test('Submits per Second 0.5 spaces the submits at least 2 s apart', async () => {
	const { items, error } = await runNode({
		credentials: { ...credentialsFor(emulator, 'native'), submitsPerSecond: 0.5 },
		items: Array.from({ length: 3 }, () => ({ json: {} })),
		parameters: createParameters({ waitForCompletion: false }),
	});
	expect(error).toBeUndefined();
	expect(items.map((item) => item.json.taskId)).toEqual(emulator.createdTaskIds);
	const gaps = submitGaps();
	expect(gaps).toHaveLength(2);
	// A lower bound on the spacing (what the account's limit is about), not a speed assertion.
	for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(2_000);
});

test('Submits per Second 2.5 never lets three submits into one second', async () => {
	const { error } = await runNode({
		credentials: { ...credentialsFor(emulator, 'native'), submitsPerSecond: 2.5 },
		items: Array.from({ length: 5 }, () => ({ json: {} })),
		parameters: createParameters({ waitForCompletion: false }),
	});
	expect(error).toBeUndefined();
	const arrivals = emulator.requestsOf('submit').map((submit) => submit.receivedAt);
	expect(arrivals).toHaveLength(5);
	// Any three in a row span at least a second: no one-second window sees more than 2.5.
	for (let index = 2; index < arrivals.length; index++) {
		expect(arrivals[index] - arrivals[index - 2]).toBeGreaterThanOrEqual(1_000);
	}
});

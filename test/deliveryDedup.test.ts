import { DeliveryDedup } from '../nodes/HappyHorse/pipeline/deliveryDedup';

test('a key taken is refused within the window and welcome after it', () => {
	const dedup = new DeliveryDedup(1000, 100);
	expect(dedup.claim(['event/a', 'task/1'], 0)).toBe(true);
	expect(dedup.claim(['event/b', 'task/1'], 10)).toBe(false);
	dedup.taken(['event/a', 'task/1'], 10);
	expect(dedup.claim(['event/a'], 1009)).toBe(false);
	expect(dedup.claim(['event/a', 'task/1'], 1011)).toBe(true);
});

test('a released claim (nothing started, to be retried) lets the retry in', () => {
	const dedup = new DeliveryDedup(1000, 100);
	expect(dedup.claim(['event/a', 'task/1'], 0)).toBe(true);
	dedup.released(['event/a', 'task/1']);
	expect(dedup.claim(['event/a', 'task/1'], 1)).toBe(true);
});

test('the memory is bounded: the oldest keys go first', () => {
	const dedup = new DeliveryDedup(60_000, 4);
	for (let index = 0; index < 10; index++) {
		expect(dedup.claim([`event/${index}`, `task/${index}`], index)).toBe(true);
		dedup.taken([`event/${index}`, `task/${index}`], index);
	}
	expect(dedup.size).toBe(4);
	expect(dedup.claim(['task/9'], 20)).toBe(false);
	expect(dedup.claim(['task/0'], 20)).toBe(true);
});

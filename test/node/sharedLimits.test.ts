import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';
import {
	accountRateLimiter,
	accountRateLimiterKeys,
} from '../../nodes/HappyHorse/transport/rateLimiter';

/**
 * The account's rate limits hold per process, not per execution: n8n (a worker above all) runs
 * many executions of one workflow at once, and they all spend the same account's 5 submits and
 * 20 queries per second.
 */
const emulator = useEmulator();

test('four executions of 5 items at once: no 429, every task submitted exactly once', async () => {
	emulator.limits = { maxRunningTasks: 5, submitsPerSecond: 5, queriesPerSecond: 20 };
	emulator.taskScript = () => ({ durationMs: 1_500 });
	const runs = await Promise.all(
		[0, 1, 2, 3].map(
			async (execution) =>
				await runNode({
					credentials: credentialsFor(emulator, 'native'),
					items: Array.from({ length: 5 }, (_, take) => ({ json: { execution, take } })),
					parameters: createParameters({
						prompt: '={{ "Execution " + $json.execution + ", take " + $json.take }}',
						referenceImages: {},
						downloadVideo: false,
						options: { pollInterval: 0.5 },
					}),
				}),
		),
	);
	expect(emulator.throttled).toEqual({ submit: 0, query: 0 });
	expect(emulator.requestsOf('submit')).toHaveLength(20);
	expect(emulator.createdTaskIds).toHaveLength(20);
	for (const run of runs) {
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.status)).toEqual(Array(5).fill('SUCCEEDED'));
		expect(run.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
	}
	const taskIds = runs.flatMap((run) => run.items.map((item) => item.json.taskId));
	expect(taskIds).toHaveLength(20);
	expect(new Set(taskIds)).toEqual(new Set(emulator.createdTaskIds));
});

describe('the registry of account limiters', () => {
	const base = { apiKey: 'sk-account-one', baseUrl: 'https://dashscope.aliyuncs.com/api/v1' };

	test('one limiter per account (key and endpoint), limit and rate', () => {
		const submit = accountRateLimiter(base, 'submit', 5);
		expect(accountRateLimiter({ ...base }, 'submit', 5)).toBe(submit);
		expect(accountRateLimiter(base, 'query', 5)).not.toBe(submit);
		expect(accountRateLimiter({ ...base, apiKey: 'sk-account-two' }, 'submit', 5)).not.toBe(submit);
		expect(
			accountRateLimiter(
				{ ...base, baseUrl: 'https://dashscope-intl.aliyuncs.com/api/v1' },
				'submit',
				5,
			),
		).not.toBe(submit);
		// A changed Submits per Second takes effect at once: it is another limiter.
		expect(accountRateLimiter(base, 'submit', 2)).not.toBe(submit);
	});

	test('keys the registry by a hash: the API key is in none of its keys', () => {
		accountRateLimiter(base, 'submit', 5);
		const keys = accountRateLimiterKeys();
		expect(keys.length).toBeGreaterThan(0);
		for (const key of keys) {
			expect(key).not.toContain(base.apiKey);
			expect(key).not.toContain('account-one');
		}
	});

	test('stays bounded however many accounts pass through', () => {
		for (let account = 0; account < 1_000; account++) {
			accountRateLimiter({ ...base, apiKey: `sk-${account}` }, 'query', 20);
		}
		expect(accountRateLimiterKeys().length).toBeLessThanOrEqual(64);
	});
});

test('a busy account keeps its limiter however many others are busy: its rate never doubles', async () => {
	const accounts = Array.from({ length: 100 }, (_, index) => ({
		apiKey: `sk-busy-${index}`,
		baseUrl: 'https://dashscope.aliyuncs.com/api/v1',
	}));
	const first = accountRateLimiter(accounts[0], 'query', 20);
	// Every account has a call answered just now: each limiter holds a place for a second.
	for (const account of accounts) (await accountRateLimiter(account, 'query', 20).acquire())();
	expect(accountRateLimiter(accounts[0], 'query', 20)).toBe(first);
});

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { RangeVideoHost, paddedClip } from '../../dev/rangeVideoHost';
import { RESOLUTIONS } from '../../nodes/HappyHorse/schemas/limits';
import { binaryOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { fixture } from './binaryRoundTrip';

/**
 * Costs through n8n's engine (docs/COSTS.md): the estimate of every kind on every billing
 * region, the input video's length from a file or from a URL's header, Estimate Only, the
 * execution's limits across runs, and the cost of what the API billed.
 */

const emulator = useEmulator();
const videoHost = new RangeVideoHost();
beforeAll(async () => await videoHost.start());
afterAll(async () => await videoHost.stop());
beforeEach(() => videoHost.reset());

const MB = 1024 * 1024;
let executions = 0;
/** Each test runs as its own execution, unless it says otherwise. */
const newExecutionId = () => `costs-${process.pid}-${++executions}`;

/** A named endpoint: with Estimate Only nothing ever goes to it. */
const named = (endpoint: string, workspaceRegion?: string): ICredentialDataDecryptedObject => ({
	apiKey: 'sk-never-sent',
	endpoint,
	...(workspaceRegion ? { workspaceId: 'ws-756pfhanyfvqhdkw', workspaceRegion } : {}),
});

/** The emulator, with the account's own prices on the credential. */
const ownPrices = (prices: Record<string, number>, currency = 'EUR') => ({
	...credentialsFor(emulator, 'native'),
	ownPrices: true,
	...prices,
	priceCurrency: currency,
});

const textToVideo = (options: INodeParameters = {}, waitForCompletion = true): INodeParameters => ({
	operation: 'createTextToVideoTask',
	prompt: 'A red fox in fresh snow',
	waitForCompletion,
	downloadVideo: false,
	options: { pollInterval: 0.01, ...options },
});

const LIST = (region: string) =>
	region === 'Beijing'
		? `list price, Beijing (Alibaba Model Studio mainland list prices (gateway code, empiriolabs, okmiku), checked 2026-12)`
		: `list price, ${region} (Alibaba Model Studio "Model pricing", international (Singapore; US and Frankfurt assumed the same until Alibaba lists them), checked 2026-12)`;

describe('the estimate of each kind, resolution and billing region (Estimate Only)', () => {
	const regions: Array<[string, ICredentialDataDecryptedObject, string, string]> = [
		['DashScope Beijing', named('dashscopeBeijing'), 'CNY', 'Beijing'],
		['DashScope Singapore', named('dashscopeSingapore'), 'USD', 'Singapore'],
		['DashScope US', named('dashscopeUs'), 'USD', 'US (Virginia)'],
		['workspace Singapore', named('modelStudioWorkspace', 'ap-southeast-1'), 'USD', 'Singapore'],
		['workspace Frankfurt', named('modelStudioWorkspace', 'eu-central-1'), 'USD', 'Frankfurt'],
		['workspace Beijing', named('modelStudioWorkspace', 'cn-beijing'), 'CNY', 'Beijing'],
	];
	/** [model, resolution (undefined: not set), price in CNY, price in USD]. */
	const prices: Array<[string, string | undefined, number | null, number | null]> = [
		['happyhorse-1.0-t2v', '720P', 0.9, 0.14],
		['happyhorse-1.0-t2v', '1080P', 1.6, 0.24],
		['happyhorse-1.0-t2v', undefined, 1.6, 0.24],
		['happyhorse-1.1-t2v', '480P', 0.45, 0.07],
		['happyhorse-1.1-t2v', '720P', 0.9, 0.14],
		['happyhorse-1.1-t2v', '1080P', 1.2, 0.18],
		['happyhorse-1.0-t2v', '480P', null, null],
	];

	// 480P is checked once the node takes it (schemas/limits.ts, RESOLUTIONS).
	const taken = prices.filter(
		([, resolution]) => !resolution || (RESOLUTIONS as readonly string[]).includes(resolution),
	);

	describe.each(regions)('%s', (_name, credentials, currency, regionName) => {
		test.each(taken)('%s at %s', async (model, resolution, cny, usd) => {
			const perSecond = currency === 'CNY' ? cny : usd;
			const { items, error } = await runNode({
				credentials,
				executionId: newExecutionId(),
				parameters: textToVideo({
					model,
					duration: 7,
					...(resolution ? { resolution } : {}),
					estimateOnly: true,
				}),
			});
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({
				taskId: null,
				status: 'ESTIMATE',
				estimate: {
					billedSeconds: 7,
					amount: perSecond === null ? null : Math.round(7 * perSecond * 1e6) / 1e6,
					currency: perSecond === null ? null : currency,
					resolution: resolution ?? '1080P',
					pricePerSecond: perSecond,
					priceSource: perSecond === null ? null : LIST(regionName),
				},
				request: {
					model,
					input: { prompt: 'A red fox in fresh snow' },
					parameters: { duration: 7, ...(resolution ? { resolution } : {}) },
				},
			});
		});
	});

	test('first frame and references to video bill the requested duration, 5 s when not set', async () => {
		const image = 'https://media.example.com/a.png';
		const firstFrame = await runNode({
			credentials: named('dashscopeUs'),
			executionId: newExecutionId(),
			parameters: {
				operation: 'createImageToVideoTask',
				imageSource: 'url',
				imageUrl: image,
				options: { resolution: '720P', estimateOnly: true },
			},
		});
		expect(firstFrame.items[0].json.estimate).toMatchObject({
			billedSeconds: 5,
			amount: 0.7,
			currency: 'USD',
		});
		const references = await runNode({
			credentials: named('dashscopeBeijing'),
			executionId: newExecutionId(),
			parameters: {
				operation: 'createReferenceToVideoTask',
				prompt: 'The woman in [Image 1] dances',
				referenceImages: { images: [{ source: 'url', url: image }] },
				options: { duration: 12, model: 'happyhorse-1.1-r2v', estimateOnly: true },
			},
		});
		expect(references.items[0].json.estimate).toMatchObject({
			billedSeconds: 12,
			amount: 14.4,
			currency: 'CNY',
		});
	});

	test("the credential's own prices win over the list; gateways and custom endpoints have no price without them", async () => {
		const custom = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			executionId: newExecutionId(),
			parameters: textToVideo({ resolution: '720P', estimateOnly: true }),
		});
		expect(custom.items[0].json.estimate).toEqual({
			billedSeconds: 5,
			amount: null,
			currency: null,
			resolution: '720P',
			pricePerSecond: null,
			priceSource: null,
		});
		for (const endpoint of ['anyfast', 'infiflow']) {
			const { items } = await runNode({
				credentials: named(endpoint),
				executionId: newExecutionId(),
				parameters: textToVideo({ estimateOnly: true }),
			});
			expect(items[0].json.estimate).toMatchObject({ amount: null, currency: null });
		}
		const own = await runNode({
			credentials: {
				...named('dashscopeBeijing'),
				ownPrices: true,
				price720P: 0.5,
				priceCurrency: 'cny',
			},
			executionId: newExecutionId(),
			parameters: textToVideo({ resolution: '720P', duration: 3, estimateOnly: true }),
		});
		expect(own.items[0].json.estimate).toMatchObject({
			billedSeconds: 3,
			amount: 1.5,
			currency: 'CNY',
			pricePerSecond: 0.5,
			priceSource: 'credential',
		});
		// A resolution left at 0 has no price of its own: the list price of the region applies.
		const unset = await runNode({
			credentials: { ...named('dashscopeUs'), ownPrices: true, price720P: 0.1, price1080P: 0 },
			executionId: newExecutionId(),
			parameters: textToVideo({ resolution: '1080P', duration: 3, estimateOnly: true }),
		});
		expect(unset.items[0].json.estimate).toMatchObject({
			amount: 0.72,
			currency: 'USD',
			pricePerSecond: 0.24,
		});
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('video edit: input seconds (at most 15) plus output seconds', () => {
	const edit = (overrides: INodeParameters) =>
		createParameters({
			referenceImages: {},
			...overrides,
			options: { resolution: '720P', estimateOnly: true, ...(overrides.options as object) },
		});

	test.each(['good.mp4', 'moov-at-end.mp4'])(
		'a binary video (%s): its length from its own moov box',
		async (file) => {
			const { items, error } = await runNode({
				credentials: named('dashscopeSingapore'),
				executionId: newExecutionId(),
				items: [{ json: {}, binary: { video: await binaryOf(fixture(file), 'default') } }],
				parameters: edit({ videoSource: 'binary', videoBinaryProperty: 'video' }),
			});
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({
				taskId: null,
				status: 'ESTIMATE',
				estimate: {
					billedSeconds: 8,
					amount: 1.12,
					currency: 'USD',
					resolution: '720P',
					pricePerSecond: 0.14,
					priceSource: LIST('Singapore'),
					inputSeconds: 4,
					outputSeconds: 4,
				},
				request: {
					model: 'happyhorse-1.0-video-edit',
					input: {
						prompt: 'Replace the background with a beach at sunset',
						media: [{ type: 'video', url: `oss://pending-upload/${file}` }],
					},
					parameters: { resolution: '720P' },
				},
			});
		},
	);

	const clipFtyp = paddedClip('start', 8).indexOf('moov') - 4;
	test.each([
		['moov at the start', paddedClip('start', 20 * MB), ['bytes=0-16383']],
		[
			'moov at the end, after 20 MB of media data',
			paddedClip('end', 20 * MB),
			['bytes=0-16383', `bytes=${clipFtyp + 20 * MB}-${paddedClip('end', 20 * MB).length - 1}`],
		],
		[
			'a 100 kB free box before moov',
			paddedClip('start', 20 * MB, 100 * 1024),
			[
				'bytes=0-16383',
				`bytes=${clipFtyp + 100 * 1024}-${clipFtyp + 100 * 1024 + 1024 * 1024 - 16384 - 1}`,
			],
		],
	] as const)(
		'a URL with %s: its length from at most two range requests and 1 MB, no key sent',
		async (_case, clip, ranges) => {
			const url = videoHost.put('/clip.mp4', clip);
			const { items, error } = await runNode({
				credentials: named('dashscopeBeijing'),
				executionId: newExecutionId(),
				parameters: edit({ videoUrl: url, options: { resolution: '1080P' } }),
			});
			expect(error).toBeUndefined();
			expect(items[0].json.estimate).toMatchObject({
				billedSeconds: 8,
				amount: 12.8,
				currency: 'CNY',
				inputSeconds: 4,
				outputSeconds: 4,
			});
			expect(items[0].json.estimate).not.toHaveProperty('worstCase');
			const seen = videoHost.requestsOf('/clip.mp4');
			expect(seen.map((request) => request.range)).toEqual(ranges);
			expect(seen.reduce((sum, request) => sum + request.bytesSent, 0)).toBeLessThanOrEqual(MB);
			expect(seen.every((request) => request.authorization === undefined)).toBe(true);
		},
	);

	test('an input longer than 15 s bills 15 s in and 15 s out', async () => {
		const { items } = await runNode({
			credentials: named('dashscopeUs'),
			executionId: newExecutionId(),
			items: [{ json: {}, binary: { video: await binaryOf(fixture('too-long.mp4'), 'default') } }],
			parameters: edit({
				videoSource: 'binary',
				videoBinaryProperty: 'video',
				options: { checkMedia: false },
			}),
		});
		expect(items[0].json.estimate).toMatchObject({
			billedSeconds: 30,
			amount: 4.2,
			inputSeconds: 15,
			outputSeconds: 15,
		});
	});

	test.each([
		['/huge-no-range', 'the host does not answer range requests'],
		['/endless', 'the host does not answer range requests'],
		['/loop/a', 'the host redirected in a loop'],
		['/html', 'it is not an MP4 or MOV video (it starts "<!DOCTYPE html>'],
		['/missing.mp4', 'the host answered HTTP 404'],
	])(
		'a hostile URL (%s) is read within bounds and the worst case is assumed, saying why',
		async (path, why) => {
			const { items, error } = await runNode({
				credentials: named('dashscopeSingapore'),
				executionId: newExecutionId(),
				parameters: edit({ videoUrl: `${videoHost.origin}${path}` }),
			});
			expect(error).toBeUndefined();
			const estimate = items[0].json.estimate as Record<string, unknown>;
			expect(estimate).toMatchObject({
				billedSeconds: 30,
				amount: 4.2,
				inputSeconds: 15,
				outputSeconds: 15,
			});
			expect(String(estimate.worstCase)).toContain(
				`The length of the input video could not be read (${why}`,
			);
			expect(String(estimate.worstCase)).toContain('assumed 15 s in and 15 s out');
			const gets = videoHost.requests.filter((request) =>
				request.path.startsWith(path.slice(0, 5)),
			);
			expect(gets.length).toBeLessThanOrEqual(11);
			// What the host managed to push before the node hung up: the 1 MB read plus socket buffers.
			const sent = gets.reduce((sum, request) => sum + request.bytesSent, 0);
			expect(sent).toBeLessThan(8 * MB);
		},
	);
});

test('a host that answers and then sends nothing is given up at the probe deadline', async () => {
	const { items } = await runNode({
		credentials: named('dashscopeSingapore'),
		executionId: newExecutionId(),
		parameters: createParameters({
			referenceImages: {},
			videoUrl: `${videoHost.origin}/silent`,
			options: { estimateOnly: true },
		}),
	});
	expect(items[0].json.estimate).toMatchObject({ billedSeconds: 30, amount: 7.2 });
	expect(String((items[0].json.estimate as { worstCase: string }).worstCase)).toContain(
		'(the host did not send in time)',
	);
}, 30_000);

describe('Estimate Only', () => {
	test('checks, estimates and shows the request; nothing is uploaded or submitted', async () => {
		const { items, error } = await runNode({
			credentials: ownPrices({ price1080P: 0.2 }),
			executionId: newExecutionId(),
			items: [
				{
					json: {},
					binary: { video: await binaryOf(fixture('good.mp4', 'my clip.mp4'), 'default') },
				},
			],
			parameters: createParameters({
				videoSource: 'binary',
				videoBinaryProperty: 'video',
				options: { estimateOnly: true, seed: 7 },
			}),
		});
		expect(error).toBeUndefined();
		expect(emulator.requests).toHaveLength(0);
		expect(items).toEqual([
			{
				json: {
					taskId: null,
					status: 'ESTIMATE',
					estimate: {
						billedSeconds: 8,
						amount: 1.6,
						currency: 'EUR',
						resolution: '1080P',
						pricePerSecond: 0.2,
						priceSource: 'credential',
						inputSeconds: 4,
						outputSeconds: 4,
					},
					request: {
						model: 'happyhorse-1.0-video-edit',
						input: {
							prompt: 'Replace the background with a beach at sunset',
							media: [
								{ type: 'video', url: 'oss://pending-upload/my clip.mp4' },
								{ type: 'reference_image', url: 'https://media.example.com/sweater.png' },
							],
						},
						parameters: { seed: 7 },
					},
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('an item that fails a check is still an error, and nothing is sent', async () => {
		const { error } = await runNode({
			credentials: ownPrices({ price1080P: 0.2 }),
			executionId: newExecutionId(),
			parameters: textToVideo({ duration: 99, estimateOnly: true }),
		});
		expect(error?.message).toMatch(/^Item 0: Options → Duration/);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('limits over the whole execution', () => {
	test('a second HappyHorse run in the same execution is refused over Max Cost per Execution; nothing of it is sent', async () => {
		const executionId = newExecutionId();
		const credentials = ownPrices({ price720P: 0.1 }, 'USD');
		const options = { resolution: '720P', duration: 10, maxCostPerExecution: 1.5 };
		const first = await runNode({
			credentials,
			executionId,
			parameters: textToVideo(options, false),
		});
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ status: 'PENDING', estimate: { amount: 1 } });
		const second = await runNode({
			credentials,
			executionId,
			parameters: textToVideo(options, false),
		});
		expect(emulator.requestsOf('submit')).toHaveLength(1);
		expect(second.error?.message).toBe(
			"Item 0: This run would pass the execution's spending limit: it is estimated at 1 USD (10 s of video, 1 task), earlier HappyHorse runs of this execution committed 1 USD, and Options → Max Cost per Execution (maxCostPerExecution) is 1.5 USD. Nothing of this run was uploaded or submitted",
		);
		expect(second.error?.description).toContain(
			'raise Options → Max Cost per Execution (maxCostPerExecution) to at least 2 USD',
		);
		// Another execution starts from nothing.
		const other = await runNode({
			credentials,
			executionId: newExecutionId(),
			parameters: textToVideo(options, false),
		});
		expect(other.error).toBeUndefined();
		expect(emulator.requestsOf('submit')).toHaveLength(2);
	});

	test('over Max Billed Seconds per Execution with continue-on-fail, each item carries the error', async () => {
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			executionId: newExecutionId(),
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: textToVideo({ duration: 8, maxBilledSecondsPerExecution: 20 }, false),
		});
		expect(error).toBeUndefined();
		expect(emulator.requests).toHaveLength(0);
		expect(items.map((item) => item.json.error)).toEqual(
			[0, 1, 2].map(
				(index) =>
					`Item ${index}: This run would pass the execution's limit of billed seconds: it is estimated at 24 s of video (3 tasks), earlier HappyHorse runs of this execution committed 0 s, and Options → Max Billed Seconds per Execution (maxBilledSecondsPerExecution) is 20 s. Nothing of this run was uploaded or submitted`,
			),
		);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('a money limit where the price is unknown is refused before anything is sent', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			executionId: newExecutionId(),
			parameters: textToVideo({ maxCostPerExecution: 100 }, false),
		});
		expect(error?.message).toBe(
			"Item 0: Options → Max Cost per Execution (maxCostPerExecution) is set, but the price of this item's task is unknown (the endpoint bills at its own prices, which the node does not know), so the limit cannot be kept. Nothing was uploaded or submitted",
		);
		expect(error?.description).toContain('Use My Own Prices');
		expect(emulator.requests).toHaveLength(0);
	});

	test('a task that was never created gives its share back', async () => {
		const executionId = newExecutionId();
		const parameters = textToVideo({ duration: 10, maxBilledSecondsPerExecution: 15 }, false);
		emulator.failNext('submit', {
			status: 400,
			body: { code: 'InvalidParameter', message: 'The resolution is not valid' },
		});
		const failed = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			executionId,
			parameters,
		});
		expect(failed.error?.message).toContain('InvalidParameter');
		const next = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			executionId,
			parameters,
		});
		expect(next.error).toBeUndefined();
		expect(emulator.requestsOf('submit')).toHaveLength(2);
	});
});

describe('cost: what the API billed', () => {
	test('a SUCCEEDED task costs its usage seconds at the price of the resolution the API reports', async () => {
		const { items, error } = await runNode({
			credentials: ownPrices({ price720P: 0.1, price1080P: 0.3 }),
			executionId: newExecutionId(),
			parameters: textToVideo({ resolution: '720P', duration: 6 }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			status: 'SUCCEEDED',
			usage: { duration: 6, SR: 720 },
			cost: { billedSeconds: 6, amount: 0.6, currency: 'EUR' },
			estimate: { billedSeconds: 6, amount: 0.6, currency: 'EUR' },
		});
	});

	test('a video edit costs what usage says, not what was estimated', async () => {
		// The emulator cannot see a video on another host: it reports the sample usage (13.24 s, 720).
		const url = videoHost.put('/input.mp4', paddedClip('start', 4096));
		const { items, error } = await runNode({
			credentials: ownPrices({ price720P: 0.1, price1080P: 0.3 }),
			executionId: newExecutionId(),
			parameters: createParameters({ videoUrl: url, downloadVideo: false }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			status: 'SUCCEEDED',
			cost: { billedSeconds: 13.24, amount: 1.324, currency: 'EUR' },
			estimate: { billedSeconds: 8, amount: 2.4, currency: 'EUR', inputSeconds: 4 },
		});
	});

	test('without a known price, cost still gives the billed seconds', async () => {
		const { items } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			executionId: newExecutionId(),
			parameters: textToVideo({ duration: 4 }),
		});
		expect(items[0].json.cost).toEqual({ billedSeconds: 4, amount: null, currency: null });
	});
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { mediaFixture, repoRoot } from '../dev/paths';
import { binaryOf } from '../dev/harness/binaryData';
import { runNode, type NodeRunResult } from '../dev/harness/runNode';
import { KNOWN_ENDPOINTS } from '../nodes/HappyHorse/transport/endpoints';
import { createParameters, credentialsFor, useEmulator } from './fixtures';

/**
 * docs/TROUBLESHOOTING.md quotes each error word for word. Every entry is made
 * here by really running the node against the emulator, and its message must equal the quote:
 * a change to the node's wording or to that page fails this test. `<taskId>` in a quote stands
 * for the id of the task the run created (or asked for).
 */

const emulator = useEmulator();

/** The id Get Task asks for in the expired task's case, which no run created. */
const EXPIRED_TASK_ID = 'c0ffee00-0000-4000-8000-000000000024';

interface Entry {
	title: string;
	message: string;
}

/** `- **Title**: `message`` lines of docs/TROUBLESHOOTING.md. */
function documentedEntries(): Entry[] {
	const section = readFileSync(join(repoRoot(), 'docs', 'TROUBLESHOOTING.md'), 'utf8');
	if (!section.startsWith('# Troubleshooting\n')) {
		throw new Error('docs/TROUBLESHOOTING.md does not start with "# Troubleshooting"');
	}
	return [...section.matchAll(/^- \*\*(.+?)\*\*: `([^`]+)`/gm)].map(([, title, message]) => ({
		title,
		message,
	}));
}

const runEdit = (parameters: INodeParameters, items?: INodeExecutionData[]) =>
	runNode({ credentials: credentialsFor(emulator, 'native'), parameters, items });

/** One input item holding a media fixture as its binary field `data`. */
async function fixtureItem(
	fixture: string,
	fileName: string,
	mimeType: string,
): Promise<INodeExecutionData[]> {
	const bytes = readFileSync(mediaFixture(fixture));
	return [{ json: {}, binary: { data: await binaryOf({ bytes, fileName, mimeType }, 'default') } }];
}

/** Each entry's scenario: a run that ends with that error. */
const scenarios: Record<string, () => Promise<NodeRunResult>> = {
	'The key is refused': () =>
		runNode({
			credentials: credentialsFor(emulator, 'native', 'sk-a-key-of-another-region'),
			parameters: createParameters(),
		}),
	'The workspace ID is refused': () =>
		runNode({
			credentials: {
				apiKey: emulator.apiKey,
				endpoint: 'modelStudioWorkspace',
				workspaceId: 'ws_756pfhanyfvqhdkw',
				workspaceRegion: 'eu-central-1',
			},
			parameters: createParameters(),
		}),
	'Too many requests': () => {
		// The account's real limit is lower than the credential's Submits per Second (5).
		emulator.limits.submitsPerSecond = 1;
		return runEdit(createParameters({ options: { timeout: 0.5 } }), [{ json: {} }, { json: {} }]);
	},
	'A task is still running at the timeout': () => {
		emulator.taskScript = () => ({ statuses: ['RUNNING'] });
		return runEdit(createParameters({ options: { timeout: 1 } }));
	},
	'The answer to a submit was lost': () => {
		emulator.failNextWith('submit', { type: 'status500AfterCreate' });
		return runEdit(createParameters());
	},
	'The video URL has expired': () => {
		emulator.failNext('download', {
			status: 403,
			body: '<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>',
		});
		return runEdit(createParameters());
	},
	'The task has expired': () =>
		runEdit({
			operation: 'getTask',
			taskId: EXPIRED_TASK_ID,
			waitForCompletion: true,
			options: { pollInterval: 0.01 },
		}),
	'A file is too large': async () => {
		// A real MP4 followed by padding past the 100 MB the API takes.
		const video = Buffer.concat([
			readFileSync(mediaFixture('good.mp4')),
			Buffer.alloc(101 * 1024 * 1024),
		]);
		const binary = await binaryOf(
			{ bytes: video, fileName: 'holiday.mp4', mimeType: 'video/mp4' },
			'default',
		);
		return runEdit(createParameters({ videoSource: 'binary', videoBinaryProperty: 'data' }), [
			{ json: {}, binary: { data: binary } },
		]);
	},
	'The result is larger than Max Video Size': () =>
		runEdit(createParameters({ options: { maxVideoSizeMb: 0.05 } })),
	'A setting the model may not take': () =>
		runEdit({
			operation: 'createTextToVideoTask',
			prompt: 'A red fox running through fresh snow at dawn',
			waitForCompletion: false,
			options: { resolution: '480P' },
		}),
	'Anyfast takes exactly one reference image': () =>
		runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: createParameters({
				referenceImages: {
					images: [
						{ source: 'url', url: 'https://media.example.com/sweater.png' },
						{ source: 'url', url: 'https://media.example.com/scarf.png' },
					],
				},
			}),
		}),
	'A file from an earlier node on Anyfast': async () =>
		runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: createParameters({ videoSource: 'binary', videoBinaryProperty: 'data' }),
			items: await fixtureItem('good.mp4', 'clip.mp4', 'video/mp4'),
		}),
	'A first frame from an earlier node on the infiflow proxy': async () => {
		// The infiflow variant as it is (no upload), its base URL pointed at the emulator.
		jest.replaceProperty(KNOWN_ENDPOINTS.infiflow, 'baseUrl', emulator.nativeBaseUrl);
		return runNode({
			credentials: { apiKey: emulator.apiKey, endpoint: 'infiflow' },
			parameters: {
				operation: 'createImageToVideoTask',
				imageSource: 'binary',
				imageBinaryProperty: 'data',
				waitForCompletion: false,
			},
			items: await fixtureItem('good.png', 'frame.png', 'image/png'),
		});
	},
	'The base URL is refused': () =>
		runNode({
			credentials: {
				...credentialsFor(emulator, 'native'),
				baseUrl: `${emulator.nativeBaseUrl}?workspace=team`,
			},
			parameters: createParameters(),
		}),
};

const entries = documentedEntries();

test('docs/TROUBLESHOOTING.md lists exactly the scenarios made here', () => {
	expect(entries.map((entry) => entry.title)).toEqual(Object.keys(scenarios));
});

describe.each(entries)('$title', ({ title, message }) => {
	test('the node prints the message docs/TROUBLESHOOTING.md quotes', async () => {
		const scenario = scenarios[title];
		expect(scenario).toBeDefined();
		const { error } = await scenario();
		jest.restoreAllMocks();
		const [taskId = EXPIRED_TASK_ID] = emulator.createdTaskIds;
		expect(error?.message).toBe(message.replace('<taskId>', taskId));
	});
});

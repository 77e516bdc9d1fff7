import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { HappyHorse } from '../nodes/HappyHorse/HappyHorse.node';
import { credentialsFor, useEmulator } from './fixtures';
import { HAPPY_HORSE_NODE_TYPES } from '../dev/examples';
import { binaryOf } from '../dev/harness/binaryData';
import { runNode } from '../dev/harness/runNode';
import { fixture } from './node/binaryRoundTrip';

const emulator = useEmulator();

const examplesDir = join(__dirname, '..', 'examples');
const examples = readdirSync(examplesDir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({
		file,
		workflow: JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as {
			nodes: Array<{ name: string; type: string; parameters: INodeParameters }>;
		},
	}));

/** The models each create operation submits to, whichever version it defaults to. */
const MODEL_OF_OPERATION: Record<string, RegExp> = {
	createEditTask: /^happyhorse-1\.0-video-edit$/,
	createTextToVideoTask: /^happyhorse-1\.[01]-t2v$/,
	createImageToVideoTask: /^happyhorse-1\.[01]-i2v$/,
	createReferenceToVideoTask: /^happyhorse-1\.[01]-r2v$/,
};

const knownParameters = new Set(new HappyHorse().description.properties.map((p) => p.name));
/** What n8n adds to a node it makes into an AI tool (convertNodeToAiTool in n8n 2.x). */
const TOOL_PARAMETERS = ['descriptionType', 'toolDescription'];
const TOOL_TYPE = 'n8n-nodes-happyhorse.happyHorseTool';

/** `={{ $fromAI('key', …) }}`: a parameter the agent's model fills in; its key. */
function fromAiKey(value: unknown): string | undefined {
	return typeof value === 'string' ? /^=\{\{\s*\$fromAI\(\s*'([^']+)'/.exec(value)?.[1] : undefined;
}

/** The tool's parameters with what the model would fill in by $fromAI() filled in already. */
function withModelAnswers(parameters: INodeParameters, answers: Record<string, string>) {
	return Object.fromEntries(
		Object.entries(parameters).map(([name, value]) => {
			const key = fromAiKey(value);
			return [name, key === undefined ? value : answers[key]];
		}),
	) as INodeParameters;
}

test('there are example workflows, the new kinds of task among them', () => {
	expect(examples.length).toBeGreaterThanOrEqual(2);
	const operations = examples.flatMap(({ workflow }) =>
		workflow.nodes
			.filter((node) => HAPPY_HORSE_NODE_TYPES.includes(node.type))
			.map((node) => node.parameters.operation),
	);
	expect(operations).toEqual(
		expect.arrayContaining([
			'createTextToVideoTask',
			'createImageToVideoTask',
			'createReferenceToVideoTask',
		]),
	);
});

test('the agent example gives its model a HappyHorse tool that fills in only the prompt and downloads nothing', () => {
	const tools = examples.flatMap(({ workflow }) =>
		workflow.nodes.filter((node) => node.type === TOOL_TYPE),
	);
	expect(tools).toHaveLength(1);
	for (const tool of tools) {
		expect(Object.values(tool.parameters).map(fromAiKey).filter(Boolean)).toEqual(['prompt']);
		// The model sees only the tool's JSON (docs/AGENTS.md).
		expect(tool.parameters.downloadVideo).toBe(false);
	}
});

// The trigger's examples start from EventBridge, not from a HappyHorse node: test/e2e/trigger.e2e.ts.
const nodeExamples = examples.filter(({ workflow }) =>
	workflow.nodes.some((node) => HAPPY_HORSE_NODE_TYPES.includes(node.type)),
);

describe.each(nodeExamples)('$file', ({ workflow }) => {
	const happyHorseNodes = workflow.nodes.filter((node) =>
		HAPPY_HORSE_NODE_TYPES.includes(node.type),
	);

	test('uses the HappyHorse node with parameters the node knows', () => {
		expect(happyHorseNodes.length).toBeGreaterThan(0);
		for (const node of happyHorseNodes) {
			const known =
				node.type === TOOL_TYPE ? [...knownParameters, ...TOOL_PARAMETERS] : knownParameters;
			for (const name of Object.keys(node.parameters)) expect([...known]).toContain(name);
		}
	});

	test('its first HappyHorse node runs against the emulator', async () => {
		const [node] = happyHorseNodes;
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [
				{
					json: {
						prompt: 'Replace the background with a beach at sunset',
						videoUrl: 'https://media.example.invalid/in.mp4',
						imageUrl: 'https://media.example.com/ref.png',
					},
					// What the disk examples' file nodes hand on: the edit's video and picture (after
					// the Merge node), image to video's first frame (a 320 × 320 PNG, as placed).
					binary: {
						video: await binaryOf(fixture('good.mp4'), 'default'),
						cloth: await binaryOf(fixture('good.png'), 'default'),
						data: await binaryOf(fixture('good.png'), 'default'),
					},
				},
			],
			parameters: {
				...withModelAnswers(node.parameters, { prompt: 'A white horse gallops along a beach' }),
				options: { ...(node.parameters.options as INodeParameters), pollInterval: 0.01 },
			},
		});
		expect(error).toBeUndefined();
		if ((node.parameters.options as INodeParameters | undefined)?.estimateOnly === true) {
			// The approval example starts with a free estimate: nothing is submitted.
			expect(items[0].json).toMatchObject({ taskId: null, status: 'ESTIMATE' });
			expect(emulator.requests).toHaveLength(0);
			return;
		}
		if (node.parameters.operation === 'listTasks') {
			// The recovery example starts by reading the account's tasks: nothing is submitted.
			expect(emulator.requestsOf('list')).toHaveLength(1);
			expect(emulator.requestsOf('submit')).toHaveLength(0);
			return;
		}
		expect(items).toHaveLength(1);
		expect(items[0].json.taskId).toBe(emulator.createdTaskIds[0]);
		const [submit] = emulator.requestsOf('submit');
		expect((submit.json as { model: string }).model).toMatch(
			MODEL_OF_OPERATION[node.parameters.operation as string],
		);
	});

	test('a references-to-video prompt names its pictures [Image 1], [Image 2], … (docs/API.md, "Models")', () => {
		for (const node of happyHorseNodes) {
			if (node.parameters.operation !== 'createReferenceToVideoTask') continue;
			const images = (node.parameters.referenceImages as { images: unknown[] }).images;
			const prompt = String(node.parameters.prompt);
			expect(prompt).not.toMatch(/character\d/);
			expect(new Set(prompt.match(/\[Image \d+\]/g))).toEqual(
				new Set(images.map((_image, index) => `[Image ${index + 1}]`)),
			);
		}
	});
});

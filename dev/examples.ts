import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { mediaFixture, repoRoot } from './paths';

/** The example workflows in examples/, and how to point them at the local emulator. */

const EXAMPLES_DIR = join(repoRoot(), 'examples');

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Example {
	file: string;
	workflow: WorkflowJson;
}

export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({
			file,
			workflow: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowJson,
		}));
}

export interface EmulatorTargets {
	/** The emulator's origin, e.g. http://127.0.0.1:5679. */
	emulatorOrigin: string;
	/** The saved HappyHorse credential the HappyHorse nodes should use. */
	credential: { id: string; name: string };
	/** Where Read/Write Files from Disk nodes read and write (a folder n8n may use). */
	outputDir: string;
	/** Seconds between status checks; the examples' own 15 s would make a demo slow. */
	pollInterval?: number;
	/**
	 * The saved OpenAI credential the agent example's chat model should use: one pointed at the
	 * scripted chat-completions server (dev/scriptedChatCompletions.ts).
	 */
	chatModelCredential?: { id: string; name: string };
	/** The Data Table the trigger examples share (TASKS_TABLE), made by createTasksTable(). */
	dataTableId?: string;
	/**
	 * The HappyHorse Trigger's Verify Signature. Off where nothing serves EventBridge's
	 * certificate host (`npm run dev`, see docs/TRIGGER.md, "Locally"); the e2e test keeps it on.
	 */
	verifySignature?: boolean;
}

/** The placeholder id of the trigger examples' Data Table, and the table they expect. */
const TASKS_TABLE_PLACEHOLDER = 'HAPPYHORSE_TASKS_TABLE_ID';
const TASKS_TABLE = {
	name: 'happyhorse_tasks',
	columns: [
		{ name: 'taskId', type: 'string' },
		{ name: 'prompt', type: 'string' },
		{ name: 'sourceRow', type: 'number' },
	],
};

type RestClient = { request(method: string, urlPath: string, body?: unknown): Promise<any> };

/** Creates the examples' Data Table in the owner's personal project; returns its id. */
export async function createTasksTable(client: RestClient): Promise<string> {
	const project = await client.request('GET', '/rest/projects/personal');
	const answer = await client.request(
		'POST',
		`/rest/projects/${project.data.id}/data-tables`,
		TASKS_TABLE,
	);
	return String(answer.data.id);
}

/** The examples' Data Table: the one an earlier run made, or a new one. */
export async function ensureTasksTable(client: RestClient): Promise<string> {
	const project = await client.request('GET', '/rest/projects/personal');
	const listed = await client.request('GET', `/rest/projects/${project.data.id}/data-tables`);
	const tables = (listed.data.data ?? listed.data) as Array<{ id: string; name: string }>;
	const found = tables.find((table) => table.name === TASKS_TABLE.name);
	return found ? String(found.id) : await createTasksTable(client);
}

/** The HappyHorse node, and the tool n8n 2.x makes of it for AI Agents (usableAsTool). */
export const HAPPY_HORSE_NODE_TYPES = [
	'n8n-nodes-happyhorse.happyHorse',
	'n8n-nodes-happyhorse.happyHorseTool',
];

export const HAPPY_HORSE_TRIGGER_TYPE = 'n8n-nodes-happyhorse.happyHorseTrigger';

/** The placeholder URLs the examples ship with, and what they become on the emulator. */
function emulatorUrls(origin: string): Record<string, string> {
	return {
		'https://example.com/video-jobs.json': `${origin}/samples/jobs.json`,
		'https://example.com/video-prompts.json': `${origin}/samples/prompts.json`,
		'https://example.com/input.mp4': `${origin}/samples/dance.mp4`,
	};
}

/** A copy of the workflow that runs against the emulator with nothing else needed. */
export function pointAtEmulator(workflow: WorkflowJson, targets: EmulatorTargets): WorkflowJson {
	const urls = emulatorUrls(targets.emulatorOrigin);
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	for (const node of copy.nodes) {
		for (const [key, value] of Object.entries(node.parameters)) {
			if (typeof value === 'string' && urls[value]) node.parameters[key] = urls[value];
		}
		if (node.credentials?.happyHorseApi) node.credentials.happyHorseApi = targets.credential;
		if (node.credentials?.openAiApi && targets.chatModelCredential) {
			node.credentials.openAiApi = targets.chatModelCredential;
		}
		if (node.type === 'n8n-nodes-base.readWriteFile') {
			for (const key of ['fileName', 'fileSelector']) {
				const value = node.parameters[key];
				if (typeof value === 'string') {
					node.parameters[key] = value.replace('/tmp/happyhorse', targets.outputDir);
				}
			}
		}
		const table = node.parameters.dataTableId as { value?: string } | undefined;
		if (node.type === 'n8n-nodes-base.dataTable' && table?.value === TASKS_TABLE_PLACEHOLDER) {
			if (targets.dataTableId)
				node.parameters.dataTableId = { ...table, value: targets.dataTableId };
		}
		if (node.type === HAPPY_HORSE_TRIGGER_TYPE && targets.verifySignature !== undefined) {
			node.parameters.verifySignature = targets.verifySignature;
		}
		if (HAPPY_HORSE_NODE_TYPES.includes(node.type) && targets.pollInterval !== undefined) {
			const options = (node.parameters.options ?? {}) as Record<string, unknown>;
			node.parameters.options = { ...options, pollInterval: targets.pollInterval };
		}
	}
	return copy;
}

/** The name of the workflow's trigger node, where a manual run starts. */
export function triggerNodeName(workflow: WorkflowJson): string {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
	if (!trigger) throw new Error(`Workflow "${workflow.name}" has no manual trigger`);
	return trigger.name;
}

/**
 * The files the disk examples read, copied into `dir` from the test fixtures: the video and the
 * reference picture of the edit, and the first frame of image to video (a 320 × 320 PNG: both
 * sides ≥ 300 px, docs/API.md, "Limits").
 */
export function placeExampleInputs(dir: string): {
	video: string;
	picture: string;
	firstFrame: string;
} {
	const video = join(dir, 'input.mp4');
	const picture = join(dir, 'sweater.png');
	const firstFrame = join(dir, 'first-frame.png');
	copyFileSync(mediaFixture('good.mp4'), video);
	copyFileSync(mediaFixture('good.png'), picture);
	copyFileSync(mediaFixture('good.png'), firstFrame);
	return { video, picture, firstFrame };
}

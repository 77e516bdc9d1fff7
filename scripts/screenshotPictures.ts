import type { WorkflowJson } from '../dev/examples';

/**
 * What `npm run screenshots` (scripts/screenshots.ts) captures: the runs and the node panels,
 * each on its example, and how a node no example sets to an operation is recast for its panel.
 */

export const RUN_EXAMPLE = 'edit-video-from-url-to-disk.json';
const HAPPYHORSE_NODE = 'Edit video';
export const AGENT_EXAMPLE = 'agent-makes-a-video.json';

/** A workflow run to capture: which node's output the log shows, and a text that output holds. */
export interface RunPicture {
	file: string;
	logNode: string;
	logText: string;
	/** Where the log's top edge goes, as a share of the window's height. */
	logTop: number;
}

export const EDIT_RUN: RunPicture = {
	file: 'workflow-run.png',
	logNode: HAPPYHORSE_NODE,
	logText: 'video/mp4',
	logTop: 0.46,
};
export const AGENT_RUN: RunPicture = {
	file: 'agent-workflow.png',
	logNode: 'AI Agent',
	logText: 'http',
	// The agent's model and tool hang below it: the canvas needs the room more than its answer.
	logTop: 0.64,
};

/** A HappyHorse node's parameter panel to capture, and in which example. */
export interface NodePanel {
	example: string;
	node: string;
	file: string;
	/** For a panel opened after the run: a text its output shows then. */
	ranOutput?: string;
	/** For an operation no example uses: the node's new name and the parameters that replace its own. */
	as?: { name: string; parameters: Record<string, unknown> };
}

export const EDIT_PANEL: NodePanel = {
	example: RUN_EXAMPLE,
	node: HAPPYHORSE_NODE,
	file: 'node-parameters.png',
	ranOutput: 'video/mp4',
};
/** The new operations' panels, opened on their examples without a run. */
export const OPERATION_PANELS: NodePanel[] = [
	{
		example: 'text-to-video-from-http-prompts.json',
		node: 'Generate video',
		file: 'node-text-to-video.png',
	},
	{
		example: 'image-to-video-from-disk.json',
		node: 'Animate picture',
		file: 'node-image-to-video.png',
	},
	{
		example: 'reference-to-video-from-urls.json',
		node: 'Make video from pictures',
		file: 'node-reference-to-video.png',
	},
	{ example: 'create-now-collect-later.json', node: 'Collect result', file: 'node-get-task.png' },
	{
		example: 'create-now-collect-later.json',
		node: 'Collect result',
		file: 'node-cancel-task.png',
		as: {
			name: 'Cancel the edit',
			parameters: { operation: 'cancelTask', taskId: '={{ $json.taskId }}' },
		},
	},
	{
		example: 'recover-tasks-after-crash.json',
		node: 'List recent tasks',
		file: 'node-list-tasks.png',
	},
];

/** Sets node `from` to other parameters under another name, its connections renamed with it. */
export function recastNode(
	workflow: WorkflowJson,
	from: string,
	as: NonNullable<NodePanel['as']>,
): void {
	const node = workflow.nodes.find((candidate) => candidate.name === from);
	if (!node) throw new Error(`No node "${from}" in "${workflow.name}"`);
	node.name = as.name;
	node.parameters = as.parameters as WorkflowJson['nodes'][number]['parameters'];
	const renamed = JSON.parse(
		JSON.stringify(workflow.connections, (key, value: unknown) =>
			key === 'node' && value === from ? as.name : value,
		),
	) as Record<string, unknown>;
	workflow.connections = Object.fromEntries(
		Object.entries(renamed).map(([source, outputs]) => [
			source === from ? as.name : source,
			outputs,
		]),
	);
}

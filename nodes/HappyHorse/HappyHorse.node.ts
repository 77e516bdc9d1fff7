import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import * as cancelTask from './actions/cancelTask.operation';
import * as createEditTask from './actions/createEditTask.operation';
import * as createImageToVideoTask from './actions/createImageToVideoTask.operation';
import * as createReferenceToVideoTask from './actions/createReferenceToVideoTask.operation';
import * as createTextToVideoTask from './actions/createTextToVideoTask.operation';
import * as getTask from './actions/getTask.operation';
import * as listTasks from './actions/listTasks.operation';
import { waitProperties } from './actions/common.description';
import { modelOptionsFor, optionsProperty } from './actions/options.description';
import { listPriceRange } from './schemas/prices';
import { createApiClient } from './transport';

/** Each operation runs over the whole batch of input items and returns one output per item. */
const operations = {
	createEditTask: createEditTask.execute,
	createTextToVideoTask: createTextToVideoTask.execute,
	createImageToVideoTask: createImageToVideoTask.execute,
	createReferenceToVideoTask: createReferenceToVideoTask.execute,
	getTask: getTask.execute,
	cancelTask: cancelTask.execute,
	listTasks: listTasks.execute,
} as const;

/**
 * What an agent reads when the node is its tool: what each operation does and what it costs.
 * Tasks are billed per second of video, so an agent should not create them speculatively.
 */
const BILLING = `Billed per second of video (list prices ${listPriceRange()} per second)`;

/**
 * The node's description is also the tool's description by default: it states the price and
 * that a run is refused past the execution's limits (docs/COSTS.md).
 */
const DESCRIPTION = `Make and edit videos with Alibaba's HappyHorse models: edit a video, or make one from text, a first frame or reference pictures. ${BILLING}. Options → Estimate Only tells the cost of a call for free; past Options → Max Cost per Execution or Max Billed Seconds per Execution the node makes nothing and answers with an error.`;

export class HappyHorse implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HappyHorse',
		name: 'happyHorse',
		icon: { light: 'file:happyhorse.svg', dark: 'file:happyhorse.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { createEditTask: "Create Edit Task", createTextToVideoTask: "Create Text-to-Video Task", createImageToVideoTask: "Create Image-to-Video Task", createReferenceToVideoTask: "Create Reference-to-Video Task", getTask: "Get Task", cancelTask: "Cancel Task", listTasks: "List Tasks" }[$parameter["operation"]] }}',
		description: DESCRIPTION,
		defaults: { name: 'HappyHorse' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'happyHorseApi', required: true }],
		properties: [
			{
				// One resource holds every operation, so workflows saved before it existed (with no
				// resource stored) keep their operation.
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'video',
				options: [
					{
						name: 'Video',
						value: 'video',
						description: 'HappyHorse video tasks: create, read, cancel and list them',
					},
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['video'] } },
				default: 'createEditTask',
				options: [
					{
						name: 'Create Edit Task',
						value: 'createEditTask',
						action: 'Edit a video',
						description: `Edit a video with a prompt and up to 5 reference images, and get the result. ${BILLING} in and out.`,
					},
					{
						name: 'Create Text-to-Video Task',
						value: 'createTextToVideoTask',
						action: 'Make a video from text',
						description: `Make a 3–15 s video from a prompt, and get the result. ${BILLING} made.`,
					},
					{
						name: 'Create Image-to-Video Task',
						value: 'createImageToVideoTask',
						action: 'Make a video from a first frame',
						description: `Make a 3–15 s video that starts on a picture, and get the result. ${BILLING} made.`,
					},
					{
						name: 'Create Reference-to-Video Task',
						value: 'createReferenceToVideoTask',
						action: 'Make a video from reference pictures',
						description: `Make a 3–15 s video of the people or things in 1–9 pictures, and get the result. The prompt names the pictures [Image 1], [Image 2], … in order and says what to take from each. ${BILLING} made.`,
					},
					{
						name: 'Get Task',
						value: 'getTask',
						action: 'Get a task',
						description:
							'Read the status of a task, optionally wait for it and download the video. Free.',
					},
					{
						name: 'Cancel Task',
						value: 'cancelTask',
						action: 'Cancel a task',
						description: 'Cancel a task that has not started yet (DashScope endpoints). Free.',
					},
					{
						name: 'List Tasks',
						value: 'listTasks',
						action: 'List tasks',
						description:
							'List the tasks of the account in a time window (DashScope endpoints). Free.',
					},
				],
			},
			...createEditTask.description,
			...createTextToVideoTask.description,
			...createImageToVideoTask.description,
			...createReferenceToVideoTask.description,
			...getTask.description,
			...cancelTask.description,
			...listTasks.description,
			...waitProperties,
			optionsProperty,
		],
	};

	methods = {
		loadOptions: {
			/** Options → Model: the models of the chosen operation's kind. */
			async getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return modelOptionsFor(String(this.getCurrentNodeParameter('operation') ?? ''));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		const run = operations[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
		}
		const api = await createApiClient(this);
		return [await run.call(this, api)];
	}
}

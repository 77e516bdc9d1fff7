import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import * as cancelTask from './actions/cancelTask.operation';
import * as createEditTask from './actions/createEditTask.operation';
import * as getTask from './actions/getTask.operation';
import * as listTasks from './actions/listTasks.operation';
import { optionsProperty, waitProperties } from './actions/common.description';
import { createApiClient } from './transport';

/** Each operation runs over the whole batch of input items and returns one output per item. */
const operations = {
	createEditTask: createEditTask.execute,
	getTask: getTask.execute,
	cancelTask: cancelTask.execute,
	listTasks: listTasks.execute,
} as const;

export class HappyHorse implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HappyHorse',
		name: 'happyHorse',
		icon: { light: 'file:happyhorse.svg', dark: 'file:happyhorse.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { createEditTask: "Edit Video", getTask: "Get Task", cancelTask: "Cancel Task", listTasks: "List Tasks" }[$parameter["operation"]] }}',
		description:
			"Edit videos with Alibaba's HappyHorse 1.0 video edit model: a prompt and up to 5 reference images change a video",
		defaults: { name: 'HappyHorse' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'happyHorseApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'createEditTask',
				options: [
					{
						name: 'Create Edit Task',
						value: 'createEditTask',
						action: 'Edit a video',
						description: 'Edit a video with a prompt and reference images, and get the result',
					},
					{
						name: 'Get Task',
						value: 'getTask',
						action: 'Get an edit task',
						description: 'Read the status of a task, optionally wait for it and download the video',
					},
					{
						name: 'Cancel Task',
						value: 'cancelTask',
						action: 'Cancel an edit task',
						description: 'Cancel a task that has not started yet (DashScope endpoints)',
					},
					{
						name: 'List Tasks',
						value: 'listTasks',
						action: 'List edit tasks',
						description: 'List the tasks of the account in a time window (DashScope endpoints)',
					},
				],
			},
			...createEditTask.description,
			...getTask.description,
			...cancelTask.description,
			...listTasks.description,
			...waitProperties,
			optionsProperty,
		],
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

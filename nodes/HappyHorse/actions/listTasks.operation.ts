import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { asNodeError } from '../pipeline/itemState';
import { ALL_MODELS } from '../schemas/taskKinds';
import type { TaskStatus } from '../schemas/task';
import { TASK_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';

/** The filter's value for every HappyHorse model: listed without a model, kept by name. */
const ALL_HAPPYHORSE_MODELS = 'allHappyHorse';

const properties: INodeProperties[] = [
	{
		displayName: 'Submitted After',
		name: 'startTime',
		type: 'dateTime',
		default: '',
		description:
			'Start of the time window. Empty: 24 hours before the end. The window may span 24 hours at most.',
	},
	{
		displayName: 'Submitted Before',
		name: 'endTime',
		type: 'dateTime',
		default: '',
		description: 'End of the time window. Empty: now.',
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		default: '',
		options: [
			{ name: 'Any', value: '' },
			...TASK_STATUSES.filter((status) => status !== 'UNKNOWN').map((status) => ({
				name: status.charAt(0) + status.slice(1).toLowerCase(),
				value: status,
			})),
		],
	},
	{
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		default: ALL_HAPPYHORSE_MODELS,
		options: [
			{ name: 'All HappyHorse Models', value: ALL_HAPPYHORSE_MODELS },
			...ALL_MODELS.map((model) => ({ name: model, value: model })),
			{ name: 'Any Model of the Account', value: '' },
		],
		description:
			'Only tasks of this model. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listTasks'] } }, properties);

const DAY_MS = 24 * 3600_000;
const PAGE_SIZE = 100;

function readDate(ctx: IExecuteFunctions, name: string, itemIndex: number): Date | undefined {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === '' || value === null || value === undefined) return undefined;
	const date = new Date(String(value));
	if (Number.isNaN(date.getTime())) {
		const label = name === 'startTime' ? 'Submitted After' : 'Submitted Before';
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex}: ${label} is not a date: "${String(value)}"`,
			{
				itemIndex,
			},
		);
	}
	return date;
}

/** The Status filter: any (empty) or one of the list, whatever an expression set. */
function readStatusFilter(ctx: IExecuteFunctions, itemIndex: number): TaskStatus | undefined {
	const value: unknown = ctx.getNodeParameter('status', itemIndex, '');
	if (value === '' || value === null || value === undefined) return undefined;
	const known = TASK_STATUSES.find((status) => status === value);
	if (known) return known;
	throw new NodeOperationError(
		ctx.getNode(),
		`Item ${itemIndex}: Status must be empty (any) or one of ${TASK_STATUSES.join(', ')}, not ${JSON.stringify(value)}`,
		{ itemIndex },
	);
}

/** Lists the account's tasks in a time window, page by page, as one item per task. */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		let failure: unknown;
		try {
			const tasks = await listForItem(this, api, itemIndex);
			output.push(...tasks.map((json) => ({ json, pairedItem: { item: itemIndex } })));
		} catch (error) {
			failure = error;
		}
		if (failure === undefined) continue;
		const error = asNodeError(this, failure, itemIndex);
		if (!this.continueOnFail()) throw error;
		output.push({ json: { error: error.message }, pairedItem: { item: itemIndex } });
	}
	return output;
}

async function listForItem(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	itemIndex: number,
): Promise<IDataObject[]> {
	const endTime = readDate(ctx, 'endTime', itemIndex) ?? new Date();
	const startTime = readDate(ctx, 'startTime', itemIndex) ?? new Date(endTime.getTime() - DAY_MS);
	if (endTime.getTime() - startTime.getTime() > DAY_MS || endTime < startTime) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex}: Submitted After and Submitted Before must span 0 to 24 hours`,
			{ itemIndex, description: 'DashScope lists tasks of at most one day per call.' },
		);
	}
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? Infinity
		: Math.max(1, Number(ctx.getNodeParameter('limit', itemIndex, 50)));
	const status = readStatusFilter(ctx, itemIndex);
	const chosen = String(ctx.getNodeParameter('model', itemIndex, ALL_HAPPYHORSE_MODELS) ?? '');
	const allHappyHorse = chosen === ALL_HAPPYHORSE_MODELS;
	const model = allHappyHorse ? undefined : chosen.trim() || undefined;
	const keep = (task: IDataObject) => !allHappyHorse || ALL_MODELS.includes(String(task.model));

	const tasks: IDataObject[] = [];
	for (let pageNo = 1; tasks.length < limit; pageNo++) {
		const page = await api.listTasks(
			{
				startTime,
				endTime,
				status,
				model,
				pageNo,
				pageSize: allHappyHorse ? PAGE_SIZE : Math.min(PAGE_SIZE, limit),
			},
			itemIndex,
		);
		tasks.push(...page.tasks.filter(keep));
		if (page.tasks.length === 0 || pageNo >= page.totalPages) break;
	}
	return tasks.slice(0, limit);
}

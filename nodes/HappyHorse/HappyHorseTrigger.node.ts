import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as completionEvent from './actions/completionEvent.webhook';

/**
 * Starts a workflow when a HappyHorse task ends, from the "task finished" event that Model Studio
 * pushes through Alibaba Cloud EventBridge (docs/TRIGGER.md). It stands on the same floors as the
 * HappyHorse node: one query per event, the same output, the same download stage.
 */
export class HappyHorseTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HappyHorse Trigger',
		name: 'happyHorseTrigger',
		icon: { light: 'file:happyhorse.svg', dark: 'file:happyhorse.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "On task " + $parameter["statuses"].join(", ").toLowerCase() }}',
		description:
			'Starts the workflow when a HappyHorse video task ends, from the event Alibaba Cloud EventBridge pushes: no polling',
		defaults: { name: 'HappyHorse Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'happyHorseApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: completionEvent.description,
	};

	/**
	 * Nothing to register: the user points an EventBridge rule at the Production URL by hand
	 * (docs/TRIGGER.md, "Setting up EventBridge"); n8n only needs to know that the webhook exists.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await completionEvent.webhook.call(this);
	}
}

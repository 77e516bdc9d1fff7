import type { INodeProperties } from 'n8n-workflow';

import { HappyHorse } from '../nodes/HappyHorse/HappyHorse.node';
import { HappyHorseTrigger } from '../nodes/HappyHorse/HappyHorseTrigger.node';
import packageJson from '../package.json';

/** The node's contract: saved workflows depend on these names and defaults. */
const { description } = new HappyHorse();
const properties = description.properties;

function property(name: string, operation?: string): INodeProperties {
	const found = properties.filter((candidate) => candidate.name === name);
	const match = operation
		? found.find((candidate) => {
				const show = candidate.displayOptions?.show?.operation;
				return !show || show.includes(operation);
			})
		: found[0];
	if (!match) throw new Error(`No parameter ${name}`);
	return match;
}

test('node identity', () => {
	expect(description.name).toBe('happyHorse');
	expect(description.version).toBe(1);
	expect(description.usableAsTool).toBe(true);
	expect(description.credentials).toEqual([{ name: 'happyHorseApi', required: true }]);
});

test('operations', () => {
	const operation = property('operation');
	expect(operation.default).toBe('createEditTask');
	expect((operation.options as Array<{ value: string }>).map((option) => option.value)).toEqual([
		'createEditTask',
		'createTextToVideoTask',
		'createImageToVideoTask',
		'createReferenceToVideoTask',
		'getTask',
		'cancelTask',
		'listTasks',
	]);
});

test.each([
	['prompt', 'createEditTask', 'string', ''],
	['videoSource', 'createEditTask', 'options', 'url'],
	['videoUrl', 'createEditTask', 'string', ''],
	['videoBinaryProperty', 'createEditTask', 'string', 'data'],
	['referenceImages', 'createEditTask', 'fixedCollection', {}],
	['taskId', 'getTask', 'string', ''],
	['waitForCompletion', 'createEditTask', 'boolean', true],
	['waitForCompletion', 'getTask', 'boolean', false],
	['downloadVideo', 'createEditTask', 'boolean', true],
	['options', undefined, 'collection', {}],
])('%s (%s) is a %s defaulting to %j', (name, operation, type, defaultValue) => {
	const found = property(name, operation);
	expect(found.type).toBe(type);
	expect(found.default).toEqual(defaultValue);
});

test('reference image entries and options use the contract names', () => {
	const images = (
		property('referenceImages').options as Array<{ name: string; values: INodeProperties[] }>
	)[0];
	expect(images.name).toBe('images');
	expect(images.values.map((value) => value.name)).toEqual(['source', 'url', 'binaryProperty']);
	// An option may have one entry per set of operations (Resolution: video edit has no 480P).
	const options = (property('options').options as INodeProperties[]).map((option) => option.name);
	expect([...new Set(options)].sort()).toEqual(
		[
			'additionalParameters',
			'audioSetting',
			'binaryPropertyName',
			'checkMedia',
			'duration',
			'estimateOnly',
			'maxBilledSecondsPerExecution',
			'maxCostPerExecution',
			'maxVideoSizeMb',
			'model',
			'pollInterval',
			'ratio',
			'resolution',
			'seed',
			'timeout',
			'watermark',
		].sort(),
	);
});

test('Resolution and Aspect Ratio offer the contract values, per operation', () => {
	const options = property('options').options as INodeProperties[];
	const valuesFor = (name: string, operation: string) =>
		options
			.filter((option) => option.name === name)
			.filter((option) => {
				const shown = option.displayOptions?.show?.['/operation'] as string[] | undefined;
				return shown?.includes(operation);
			})
			.map((option) => (option.options as Array<{ value: string }>).map((value) => value.value));
	expect(valuesFor('resolution', 'createEditTask')).toEqual([['720P', '1080P']]);
	for (const operation of [
		'createTextToVideoTask',
		'createImageToVideoTask',
		'createReferenceToVideoTask',
	]) {
		expect(valuesFor('resolution', operation)).toEqual([['480P', '720P', '1080P']]);
	}
	const nine = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '5:4', '9:21', '21:9'];
	expect(valuesFor('ratio', 'createTextToVideoTask')).toEqual([nine]);
	expect(valuesFor('ratio', 'createReferenceToVideoTask')).toEqual([nine]);
	expect(valuesFor('ratio', 'createImageToVideoTask')).toEqual([]);
	expect(valuesFor('ratio', 'createEditTask')).toEqual([]);
});

test('package.json registers the built node and credential and ships no runtime dependency', () => {
	expect(packageJson.name).toBe('n8n-nodes-happyhorse');
	expect(packageJson.n8n.nodes).toEqual([
		'dist/nodes/HappyHorse/HappyHorse.node.js',
		'dist/nodes/HappyHorse/HappyHorseTrigger.node.js',
	]);
	expect(packageJson.n8n.credentials).toEqual(['dist/credentials/HappyHorseApi.credentials.js']);
	expect((packageJson as { dependencies?: object }).dependencies).toBeUndefined();
	expect(packageJson.peerDependencies).toHaveProperty('n8n-workflow');
	expect(packageJson.keywords).toContain('n8n-community-node-package');
});

test('the trigger: its name, its one POST webhook and its parameters (NODE-CONTRACT.md, Trigger)', () => {
	const trigger = new HappyHorseTrigger().description;
	expect(trigger.name).toBe('happyHorseTrigger');
	expect(trigger.version).toBe(1);
	expect(trigger.inputs).toEqual([]);
	expect(trigger.credentials).toEqual([{ name: 'happyHorseApi', required: true }]);
	expect(trigger.webhooks).toEqual([
		{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
	]);
	const byName = Object.fromEntries(trigger.properties.map((p) => [p.name, p]));
	expect(byName.statuses.type).toBe('multiOptions');
	expect(byName.statuses.default).toEqual(['SUCCEEDED', 'FAILED']);
	expect((byName.statuses.options as Array<{ value: string }>).map((o) => o.value)).toEqual([
		'SUCCEEDED',
		'FAILED',
		'CANCELED',
		'UNKNOWN',
	]);
	expect(byName.downloadVideo.default).toBe(true);
	expect(byName.verifySignature.default).toBe(true);
	expect(byName.verifySignature.description).toMatch(/anyone who knows the URL/);
	const options = byName.options.options as INodeProperties[];
	expect(options.map((o) => [o.name, o.default])).toEqual([
		['maxVideoSizeMb', 256],
		['binaryPropertyName', 'data'],
	]);
});

import type { INodeProperties } from 'n8n-workflow';

import { HappyHorse } from '../nodes/HappyHorse/HappyHorse.node';
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
	const options = (property('options').options as INodeProperties[]).map((option) => option.name);
	expect(options.sort()).toEqual(
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

test('package.json registers the built node and credential and ships no runtime dependency', () => {
	expect(packageJson.name).toBe('n8n-nodes-happyhorse');
	expect(packageJson.n8n.nodes).toEqual(['dist/nodes/HappyHorse/HappyHorse.node.js']);
	expect(packageJson.n8n.credentials).toEqual(['dist/credentials/HappyHorseApi.credentials.js']);
	expect((packageJson as { dependencies?: object }).dependencies).toBeUndefined();
	expect(packageJson.peerDependencies).toHaveProperty('n8n-workflow');
	expect(packageJson.keywords).toContain('n8n-community-node-package');
});

import type { INode, INodePropertyOptions } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { TestNodeTypes } from '../dev/harness/nodeTypes';
import { HAPPY_HORSE_TYPE } from '../dev/harness/nodeTypes';
import { HappyHorse } from '../nodes/HappyHorse/HappyHorse.node';

/**
 * The line under the node on the canvas is the name of its operation, as the Operation field
 * lists it ("Create Edit Task", not the action's "Edit a video"): evaluated the way n8n's editor
 * evaluates a node's subtitle, as an expression over the node's parameters.
 */

const { description } = new HappyHorse();
const operations = description.properties.find((property) => property.name === 'operation')!
	.options as INodePropertyOptions[];

function subtitleOf(parameters: INode['parameters']): unknown {
	const node: INode = {
		id: '1',
		name: 'HappyHorse',
		type: HAPPY_HORSE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes(),
	});
	return workflow.expression.getSimpleParameterValue(node, description.subtitle!, 'internal', {});
}

test.each(operations.map((option) => [option.value, option.name]))(
	'%s shows "%s"',
	(value, name) => {
		expect(subtitleOf({ resource: 'video', operation: value })).toBe(name);
	},
);

test('a node saved with the default operation (not stored) shows "Create Edit Task"', () => {
	expect(subtitleOf({})).toBe('Create Edit Task');
});

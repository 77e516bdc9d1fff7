import { createParameters } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const HINT = 'copy the workspace id from the Model Studio console';

test.each([
	[
		'ws_756pfhanyfvqhdkw',
		' "ws_756pfhanyfvqhdkw" is not a workspace id (letters, digits and inner hyphens, at most 63)',
	],
	[
		'ws-756.evil.example',
		' "ws-756.evil.example" is not a workspace id (letters, digits and inner hyphens, at most 63)',
	],
	['  ', ' is empty'],
])(
	'a workspace id %p is refused when the node uses the credential, naming the field; nothing is sent',
	async (workspaceId, problem) => {
		const { error, items } = await runNode({
			// The key would go to {workspaceId}.maas.aliyuncs.com: nothing may resolve or connect.
			credentials: { apiKey: 'sk-x', endpoint: 'modelStudioWorkspace', workspaceId },
			parameters: createParameters({ waitForCompletion: false }),
		});
		expect(items).toEqual([]);
		expect(error?.message).toBe(`The HappyHorse credential's Workspace ID${problem}`);
		expect(error?.description).toContain(HINT);
	},
);

test('a Workspace Region the node does not know is refused, naming the field, not sent to Singapore', async () => {
	const { error } = await runNode({
		credentials: {
			apiKey: 'sk-x',
			endpoint: 'modelStudioWorkspace',
			workspaceId: 'ws-756pfhanyfvqhdkw',
			workspaceRegion: 'eu-central1',
		},
		parameters: createParameters({ waitForCompletion: false }),
	});
	expect(error?.message).toBe(
		`The HappyHorse credential's Workspace Region "eu-central1" is not one of ap-southeast-1, eu-central-1, cn-beijing`,
	);
	expect(error?.description).toContain('Open the credential and pick the region');
});
